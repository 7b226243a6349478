"""Issue 13, item 3: dietary and cultural notes (which can reveal health or faith) follow the
requester's details: only the posting organisation's coordinators and the volunteer who accepted
see them, every read is audited, and they are erased with the requester's details.

"Diabetic; halal only" used to reach a viewer through GET /api/v1/needs/{id}/ and in lists.
"""

from __future__ import annotations

import json
import re

import pytest
from rest_framework.test import APIClient

from needs.models import Need
from operations.data_rights import person_erase
from tests.factories import NeedFactory, OfferFactory, offer_path
from volunteers.models import AuditEvent

pytestmark = pytest.mark.django_db

NOTES = "Diabetic; halal only"


@pytest.fixture
def need(brum_aid):
    return NeedFactory(
        organisation=brum_aid,
        dietary_notes=NOTES,
        postcode="B11 4RA",
        latitude=52.45311,
        longitude=-1.86207,
        requester_phone="+447700900321",
    )


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def reads_of(need: Need) -> int:
    return AuditEvent.objects.filter(action="need.requester.read", target_id=str(need.pk)).count()


def test_a_viewer_gets_no_dietary_notes_from_the_api_and_no_read_is_recorded(viewer, need):
    client = api_as(viewer)
    one = client.get(f"/api/v1/needs/{need.pk}/").json()
    listed = client.get("/api/v1/needs/").json()["results"]
    assert "dietary_notes" not in one and all("dietary_notes" not in row for row in listed)
    assert NOTES not in json.dumps([one, listed])
    assert reads_of(need) == 0


def test_another_organisations_coordinator_gets_nothing(other_coordinator, need):
    assert api_as(other_coordinator).get(f"/api/v1/needs/{need.pk}/").status_code == 404


def test_the_posting_coordinator_reads_them_on_one_need_and_the_read_is_audited(coordinator, need):
    client = api_as(coordinator)
    assert client.get(f"/api/v1/needs/{need.pk}/").json()["dietary_notes"] == NOTES
    assert reads_of(need) == 1
    # Never in a list, not even for them (a list is read without an audit line).
    assert "dietary_notes" not in client.get("/api/v1/needs/").json()["results"][0]
    assert reads_of(need) == 1


def test_on_the_need_page_the_coordinator_sees_the_notes_and_a_viewer_sees_neither_notes_nor_postcode(
    client, coordinator, viewer, need
):
    client.force_login(viewer)
    html = client.get(f"/needs/{need.pk}/").content.decode()
    assert NOTES not in html and "B11 4RA" not in html and "B11" in html
    listing = client.get("/needs/").content.decode()
    assert "B11 4RA" not in listing and "B11" in listing
    assert reads_of(need) == 0

    client.force_login(coordinator)
    html = client.get(f"/needs/{need.pk}/").content.decode()
    assert NOTES in html and "B11 4RA" in html
    assert reads_of(need) == 1


def test_the_needs_map_shows_cells_to_everyone(client, coordinator, need):
    client.force_login(coordinator)
    body = client.get("/needs/").content.decode()
    data = re.search(r'<script id="needs-map-data" type="application/json">(.*?)</script>', body, re.S)
    (marker,) = json.loads(data.group(1))["markers"]
    assert (marker["lat"], marker["lon"]) != (need.latitude, need.longitude)
    assert "52.4531" not in body and "-1.8620" not in body


def test_only_the_volunteer_who_accepted_sees_them_on_the_offer_page(client, need):
    accepter = OfferFactory(need=need)
    asked, winner = offer_path(OfferFactory(need=need)), offer_path(accepter)
    assert NOTES not in client.get(winner).content.decode()
    client.post(winner, {"action": "accept"})
    assert NOTES in client.get(winner).content.decode()
    assert NOTES not in client.get(asked).content.decode()
    assert AuditEvent.objects.filter(
        action="need.requester.read", target_id=str(need.pk), detail__volunteer_id=accepter.volunteer_id
    ).exists()


def test_they_are_erased_with_the_requester(coordinator, need):
    person_erase(phone="+447700900321", requester_only=True)
    need.refresh_from_db()
    assert need.dietary_notes == ""
    assert "dietary_notes" not in api_as(coordinator).get(f"/api/v1/needs/{need.pk}/").json()
