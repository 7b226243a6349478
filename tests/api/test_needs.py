"""Needs through the API, as the named people see them."""

from __future__ import annotations

import pytest

from messaging.models import OutboundMessage
from needs.models import Need, Offer
from tests.factories import NeedFactory, VolunteerFactory
from volunteers.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW_NEED = {
    "category": "shopping",
    "summary": "Weekly shop for an older neighbour",
    "details": "Milk, bread, tea. Knock loudly.",
    "requester_name": "Edna Example",
    "requester_phone": "07700 900999",
    "address": "1 Example Road",
    "latitude": 52.4796,
    "longitude": -1.9026,
    "urgency": "high",
    "requires_dbs": "none",
    "needs_car": False,
    "language": "en",
}


def test_a_coordinator_posts_a_need_and_gets_its_ref(api, coordinator, brum_aid):
    response = api.as_(coordinator).post("/api/v1/needs/", NEW_NEED, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    need = Need.objects.get(id=body["id"])
    assert (body["ref"], body["status"]) == (need.ref, "open")
    assert need.organisation == brum_aid
    assert need.requester_phone == "+447700900999"
    assert "requester_phone" not in body


def test_a_need_without_a_place_is_refused_naming_the_field(api, coordinator, brum_aid):
    payload = {k: v for k, v in NEW_NEED.items() if k not in ("latitude", "longitude")}
    response = api.as_(coordinator).post("/api/v1/needs/", payload, format="json")
    assert response.status_code == 400
    assert "postcode" in response.json()["error"]["fields"]
    assert not Need.objects.exists()


def test_a_need_outside_the_uk_is_refused(api, coordinator, brum_aid):
    payload = {**NEW_NEED, "latitude": 48.85, "longitude": 2.35}
    response = api.as_(coordinator).post("/api/v1/needs/", payload, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) & {"latitude", "postcode"}


def test_a_viewer_cannot_post_a_need(api, viewer):
    response = api.as_(viewer).post("/api/v1/needs/", NEW_NEED, format="json")
    assert response.status_code == 403
    assert not Need.objects.exists()


def test_a_coordinator_cannot_post_for_another_organisation(api, coordinator, coventry_together):
    payload = {**NEW_NEED, "organisation": "coventry-together"}
    assert api.as_(coordinator).post("/api/v1/needs/", payload, format="json").status_code == 403


def test_a_coordinator_sees_only_their_own_organisations_needs(
    api, coordinator, other_coordinator, brum_aid, coventry_together
):
    mine = NeedFactory(organisation=brum_aid)
    theirs = NeedFactory(organisation=coventry_together)
    listed = [n["id"] for n in api.as_(coordinator).get("/api/v1/needs/").json()["results"]]
    assert listed == [mine.id]
    assert api.get(f"/api/v1/needs/{theirs.id}/").status_code == 404


def test_the_requester_is_never_in_a_list(api, coordinator, brum_aid):
    NeedFactory(organisation=brum_aid)
    row = api.as_(coordinator).get("/api/v1/needs/").json()["results"][0]
    assert not {"requester_name", "requester_phone", "address", "details"} & set(row)
    assert not AuditEvent.objects.filter(action="need.requester.read").exists()


def test_the_posting_coordinator_reads_the_requester_and_the_read_is_audited(api, coordinator, brum_aid):
    need = NeedFactory(organisation=brum_aid, requester_name="Edna Example")
    body = api.as_(coordinator).get(f"/api/v1/needs/{need.id}/").json()
    assert body["requester_name"] == "Edna Example"
    assert body["address"] == need.requester_address
    event = AuditEvent.objects.get(action="need.requester.read")
    assert (event.actor, event.target_id) == (coordinator, str(need.id))


def test_a_viewer_reads_the_need_but_not_the_requester(api, viewer, brum_aid):
    need = NeedFactory(organisation=brum_aid, latitude=52.47961234, longitude=-1.90261234)
    body = api.as_(viewer).get(f"/api/v1/needs/{need.id}/").json()
    assert body["summary"] == need.summary
    private = {"requester_name", "requester_phone", "address", "postcode", "details", "dietary_notes"}
    assert not private & set(body)
    # The centre of the need's 0.8 km cell (issue 13: no longer the stored point rounded to 100 m).
    assert (body["latitude"], body["longitude"]) == (52.48308, -1.90779)
    assert not AuditEvent.objects.filter(action="need.requester.read").exists()


def test_filters_narrow_the_list(api, coordinator, brum_aid):
    shopping = NeedFactory(organisation=brum_aid, category="shopping", urgency="high")
    NeedFactory(organisation=brum_aid, category="hot_meal", urgency="low")
    far = NeedFactory(organisation=brum_aid, category="shopping", latitude=52.40, longitude=-1.50)  # Coventry
    NeedFactory(organisation=brum_aid, category="shopping", status="done")
    client = api.as_(coordinator)

    def ids(query):
        return {n["id"] for n in client.get(f"/api/v1/needs/?{query}").json()["results"]}

    assert ids("category=shopping&status=open") == {shopping.id, far.id}
    assert ids("urgency=high") == {shopping.id}
    assert ids("category=shopping&status=open&latitude=52.4796&longitude=-1.9026&radius_km=3") == {
        shopping.id
    }


def test_the_need_list_costs_the_same_queries_for_one_or_fifty(
    api, coordinator, brum_aid, django_assert_num_queries
):
    client = api.as_(coordinator)
    NeedFactory(organisation=brum_aid)
    # roles, count, page (organisation, area and volunteer joined in)
    with django_assert_num_queries(3):
        assert len(client.get("/api/v1/needs/").json()["results"]) == 1
    NeedFactory.create_batch(49, organisation=brum_aid, assigned_volunteer=VolunteerFactory())
    from volunteers.permissions import roles_forget

    roles_forget(coordinator)
    with django_assert_num_queries(3):
        assert len(client.get("/api/v1/needs/").json()["results"]) == 50


def test_candidates_come_ranked_with_why(api, coordinator, brum_aid):
    need = NeedFactory(organisation=brum_aid)
    near = VolunteerFactory(name="Near Nadia", latitude=52.4800, longitude=-1.9030)
    VolunteerFactory(name="Further Fred", latitude=52.4900, longitude=-1.9100)
    body = api.as_(coordinator).get(f"/api/v1/needs/{need.id}/candidates/").json()
    names = [c["volunteer"]["name"] for c in body["candidates"]]
    assert names == ["Near Nadia", "Further Fred"]
    first = body["candidates"][0]
    assert first["rank"] == 1 and first["volunteer"]["id"] == near.id
    assert any("km away" in reason for reason in first["why"])


def test_a_viewer_cannot_see_candidates(api, viewer, brum_aid):
    need = NeedFactory(organisation=brum_aid)
    assert api.as_(viewer).get(f"/api/v1/needs/{need.id}/candidates/").status_code == 403


def test_a_coordinator_offers_a_need_to_the_best_n(api, coordinator, brum_aid):
    need = NeedFactory(organisation=brum_aid)
    for i in range(4):
        VolunteerFactory(name=f"Helper {i}", latitude=52.4796 + i * 0.002, longitude=-1.9026)
    response = api.as_(coordinator).post(f"/api/v1/needs/{need.id}/offers/", {"count": 2}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["made"] == 2
    assert [o["volunteer"]["name"] for o in response.json()["offers"]] == ["Helper 0", "Helper 1"]
    assert Offer.objects.filter(need=need).count() == 2
    assert OutboundMessage.objects.filter(purpose="offer").count() == 2
    listed = api.get(f"/api/v1/needs/{need.id}/offers/").json()
    assert [o["rank"] for o in listed] == [1, 2]


def test_another_coordinator_cannot_offer_or_cancel_our_need(api, other_coordinator, brum_aid):
    need = NeedFactory(organisation=brum_aid)
    client = api.as_(other_coordinator)
    assert client.post(f"/api/v1/needs/{need.id}/offers/", {"count": 1}, format="json").status_code == 404
    assert client.post(f"/api/v1/needs/{need.id}/cancel/", {}, format="json").status_code == 404
    need.refresh_from_db()
    assert need.status == "open"


def test_a_viewer_cannot_cancel(api, viewer, brum_aid):
    need = NeedFactory(organisation=brum_aid)
    assert api.as_(viewer).post(f"/api/v1/needs/{need.id}/cancel/", {}, format="json").status_code == 403


def test_cancel_then_cancel_again_is_a_conflict(api, coordinator, brum_aid):
    need = NeedFactory(organisation=brum_aid)
    client = api.as_(coordinator)
    first = client.post(f"/api/v1/needs/{need.id}/cancel/", {"reason": "family helped"}, format="json")
    assert first.status_code == 200 and first.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/needs/{need.id}/cancel/", {}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    offer = client.post(f"/api/v1/needs/{need.id}/offers/", {"count": 1}, format="json")
    assert offer.status_code == 409


def test_done_only_for_an_assigned_need(api, coordinator, brum_aid, volunteer):
    need = NeedFactory(organisation=brum_aid)
    client = api.as_(coordinator)
    assert client.post(f"/api/v1/needs/{need.id}/done/").status_code == 409
    Need.objects.filter(id=need.id).update(status="assigned", assigned_volunteer=volunteer)
    response = client.post(f"/api/v1/needs/{need.id}/done/")
    assert response.status_code == 200 and response.json()["status"] == "done"
