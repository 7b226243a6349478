"""Groups and volunteers through the API: who sees whose phone, filters, and pinned query counts."""

from __future__ import annotations

import pytest

from tests.factories import MembershipFactory, MutualAidGroupFactory, VolunteerFactory, local_authority
from volunteers.models import AuditEvent
from volunteers.permissions import roles_forget

pytestmark = pytest.mark.django_db


def test_groups_filter_by_status_and_area(api, viewer):
    dormant = MutualAidGroupFactory(status="dormant")
    MutualAidGroupFactory(status="active")
    far = MutualAidGroupFactory(status="dormant", latitude=52.4068, longitude=-1.5197)  # Coventry
    client = api.as_(viewer)
    ids = {g["id"] for g in client.get("/api/v1/groups/?status=dormant").json()["results"]}
    assert ids == {dormant.id, far.id}
    near = client.get("/api/v1/groups/?status=dormant&latitude=52.4796&longitude=-1.9026&radius_km=5").json()
    assert [g["id"] for g in near["results"]] == [dormant.id]


def test_a_coordinator_sees_the_phone_of_volunteers_in_their_groups_only(api, coordinator, brum_aid):
    ours = VolunteerFactory(name="Ours Olive")
    MembershipFactory(volunteer=ours, group=MutualAidGroupFactory(organisation=brum_aid))
    neighbour = VolunteerFactory(name="Neighbour Ned")  # lives in Birmingham, in no group of ours
    rows = {v["name"]: v for v in api.as_(coordinator).get("/api/v1/volunteers/").json()["results"]}
    assert rows["Ours Olive"]["phone"] == ours.phone
    assert "phone" not in rows["Neighbour Ned"] and "latitude" not in rows["Neighbour Ned"]
    assert rows["Neighbour Ned"]["district"] == "B1"
    event = AuditEvent.objects.get(action="volunteer.contact.read")
    assert event.detail["volunteer_ids"] == [ours.id] and neighbour.id not in event.detail["volunteer_ids"]


def test_a_viewer_sees_no_phones(api, viewer, brum_aid):
    MembershipFactory(volunteer=VolunteerFactory(), group=MutualAidGroupFactory(organisation=brum_aid))
    rows = api.as_(viewer).get("/api/v1/volunteers/").json()["results"]
    assert rows and all("phone" not in row for row in rows)


def test_another_organisation_does_not_list_our_volunteers(api, other_coordinator, brum_aid):
    MembershipFactory(volunteer=VolunteerFactory(), group=MutualAidGroupFactory(organisation=brum_aid))
    assert api.as_(other_coordinator).get("/api/v1/volunteers/").json()["results"] == []


def test_volunteers_filter_by_skill_and_local_authority(api, coordinator):
    driver = VolunteerFactory(skills=["driving", "shopping"])
    VolunteerFactory(skills=["befriending"])
    client = api.as_(coordinator)
    assert [v["id"] for v in client.get("/api/v1/volunteers/?skill=driving").json()["results"]] == [driver.id]
    assert client.get("/api/v1/volunteers/?local_authority=Atlantis").status_code == 400


def test_list_query_counts_do_not_grow_with_rows(api, coordinator, brum_aid, django_assert_num_queries):
    group = MutualAidGroupFactory(organisation=brum_aid)
    for _ in range(30):
        MembershipFactory(volunteer=VolunteerFactory(), group=group)
        MutualAidGroupFactory(local_authority=local_authority("Birmingham"))
    client = api.as_(coordinator)
    # roles, count, page, the page's freshness (one query for the whole page)
    with django_assert_num_queries(4):
        assert len(client.get("/api/v1/groups/").json()["results"]) == 31
    roles_forget(coordinator)
    # roles, count, page, memberships prefetch, audit insert (contact details were read)
    with django_assert_num_queries(5):
        assert len(client.get("/api/v1/volunteers/").json()["results"]) == 30
