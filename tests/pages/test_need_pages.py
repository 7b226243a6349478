"""Who sees what on the need pages."""

import pytest

from tests.factories import NeedFactory, OfferFactory, offer_path
from volunteers.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_another_organisations_coordinator_cannot_open_a_need(client, other_coordinator, brum_aid):
    need = NeedFactory(organisation=brum_aid)
    client.force_login(other_coordinator)
    assert client.get(f"/needs/{need.pk}/").status_code == 404
    assert client.post(f"/needs/{need.pk}/cancel/").status_code == 403


def test_a_viewer_sees_the_need_but_not_the_requester(client, viewer, brum_aid):
    need = NeedFactory(organisation=brum_aid, requester_name="Edna Example")
    client.force_login(viewer)
    html = client.get(f"/needs/{need.pk}/").content.decode()
    assert need.summary in html and "Edna Example" not in html
    assert "Cancel this need" not in html


def test_every_read_of_the_requester_is_audited(client, coordinator, brum_aid):
    need = NeedFactory(organisation=brum_aid, requester_name="Edna Example")
    client.force_login(coordinator)
    assert "Edna Example" in client.get(f"/needs/{need.pk}/").content.decode()
    assert AuditEvent.objects.filter(action="need.requester.read", target_id=str(need.pk)).count() == 1


def test_the_offer_page_hides_the_requester_until_accepted(client, brum_aid):
    offer = OfferFactory(need__organisation=brum_aid, need__requester_name="Edna Example")
    html = client.get(offer_path(offer)).content.decode()
    assert "Can you help?" in html and "Edna Example" not in html
    assert client.get("/o/not-a-real-token/").status_code == 404


def test_the_needs_page_says_when_it_shows_only_the_most_recent(client, coordinator, brum_aid, monkeypatch):
    monkeypatch.setattr("needs.views.NEEDS_LIST_MAX", 2)
    for summary in ("First posted", "Second posted", "Third posted"):
        NeedFactory(organisation=brum_aid, summary=summary)
    client.force_login(coordinator)
    html = client.get("/needs/").content.decode()
    assert "Showing the 2 most recent of 3 open needs." in html
    assert "Third posted" in html and "First posted" not in html
    NeedFactory(organisation=brum_aid, summary="Fourth posted", status="done")  # closed: not counted
    assert "of 3 open needs" in client.get("/needs/").content.decode()
