import pytest
from django.urls import reverse

from tests.factories import MutualAidGroupFactory, NeedFactory, VolunteerFactory, local_authority

pytestmark = pytest.mark.django_db


def test_the_home_page_needs_a_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_home_page_shows_the_register_per_local_authority(client, coordinator, brum_aid):
    MutualAidGroupFactory.create_batch(2, status="active")
    MutualAidGroupFactory.create_batch(3, status="dormant", local_authority=local_authority("Sandwell"))
    VolunteerFactory.create_batch(4)
    NeedFactory(
        organisation=brum_aid,
        local_authority=local_authority("Birmingham"),
        summary="Prescription run",
    )
    client.force_login(coordinator)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "coordinator of Brum Aid" in html
    rows = {area.local_authority.name: (area, n) for area, n in response.context["rows"]}
    assert rows["Birmingham"][0].groups_active == 2 and rows["Birmingham"][1] == 1
    assert rows["Sandwell"][0].groups_dormant == 3
    assert rows["Birmingham"][0].volunteers_active == 4
    assert "Prescription run" in html  # the coordinator's own open need is listed


def test_another_organisations_needs_are_not_listed(client, other_coordinator, brum_aid):
    NeedFactory(organisation=brum_aid, summary="Brum only")
    client.force_login(other_coordinator)
    assert "Brum only" not in client.get("/").content.decode()


def test_login_page_and_liveness_probe(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get("/healthz/live/").json() == {"status": "ok"}
