"""The register on the web (issue 15): /groups/ and /volunteers/ list the groups and volunteers of
the person's organisations with search, filters and a map; a coordinator corrects, pauses and
resumes; viewers read only; other organisations see nothing of them. Plus the closed needs'
history with its CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from needs.models import Need
from tests.factories import (
    MembershipFactory,
    MutualAidGroupFactory,
    NeedFactory,
    UserFactory,
    VolunteerFactory,
    local_authority,
)
from volunteers.models import AuditEvent, Postcode, Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(brum_aid, coventry_together):
    """Brum Aid's two groups and three volunteers; Coventry Together's group and volunteer."""
    now = timezone.now()
    larder = MutualAidGroupFactory(
        name="Ladywood Larder",
        organisation=brum_aid,
        status="dormant",
        last_verified_at=now - timedelta(days=430),
    )
    champions = MutualAidGroupFactory(name="Erdington Champions", organisation=brum_aid, status="active")
    nadia = VolunteerFactory(
        name="Nadia Near",
        phone="+447700900101",
        postcode="B1 1AA",
        skills=["shopping", "befriending"],
        languages=["en", "so"],
        dbs_level="enhanced",
        last_active_at=now - timedelta(days=10),
    )
    fred = VolunteerFactory(
        name="Fred Further", phone="+447700900102", postcode="B23 6SN", skills=["driving"]
    )
    pat = VolunteerFactory(
        name="Pat Paused", phone="+447700900103", status="paused", last_active_at=now - timedelta(days=500)
    )
    MembershipFactory(volunteer=nadia, group=larder)
    MembershipFactory(volunteer=fred, group=champions)
    MembershipFactory(volunteer=pat, group=champions)
    hillfields = MutualAidGroupFactory(
        name="Hillfields Helpers", organisation=coventry_together, local_authority=local_authority("Coventry")
    )
    cath = VolunteerFactory(name="Cath Coventry", phone="+447700900201")
    MembershipFactory(volunteer=cath, group=hillfields)
    return {"larder": larder, "champions": champions, "nadia": nadia, "fred": fred, "pat": pat, "cath": cath}


def page(client, user, path, **params) -> str:
    client.force_login(user)
    response = client.get(path, params)
    assert response.status_code == 200
    return response.content.decode()


# --- groups ------------------------------------------------------------------------------------------


def test_a_coordinator_sees_their_groups_and_how_fresh_each_contact_is(client, coordinator, register):
    html = page(client, coordinator, "/groups/")
    assert "Ladywood Larder" in html and "Erdington Champions" in html
    assert "Hillfields Helpers" not in html  # Coventry Together's
    assert "Contact last confirmed 14 months ago" in html
    assert "Due a check" in html  # the dormant group's freshness, in words
    assert 'id="groups-map-data"' in html and '"label": "Ladywood Larder"' in html


def test_groups_are_searched_and_filtered(client, coordinator, register):
    assert "Erdington" not in page(client, coordinator, "/groups/", q="ladywood")
    dormant = page(client, coordinator, "/groups/", status="dormant")
    assert "Ladywood Larder" in dormant and "Erdington Champions" not in dormant
    due = page(client, coordinator, "/groups/", freshness="due")
    assert "Ladywood Larder" in due and "Erdington Champions" not in due
    coventry = local_authority("Coventry").pk
    assert "No group of your organisations matches." in page(
        client, coordinator, "/groups/", local_authority=coventry
    )


def test_a_coordinator_corrects_a_group_and_it_is_audited(client, coordinator, register):
    larder = register["larder"]
    client.force_login(coordinator)
    data = {
        "name": "Ladywood Community Larder",
        "kind": "food_bank",
        "local_authority": larder.local_authority_id,
        "radius_km": "3",
        "notes": "Meets on Thursdays.",
    }
    response = client.post(f"/groups/{larder.pk}/edit/", data, follow=True)
    assert "Ladywood Community Larder is saved." in response.content.decode()
    larder.refresh_from_db()
    assert (larder.name, larder.kind, larder.radius_km, larder.status) == (
        "Ladywood Community Larder",
        "food_bank",
        3.0,
        "dormant",
    )
    event = AuditEvent.objects.get(action="group.update")
    assert event.actor == coordinator and event.detail == {"fields": ["name", "kind", "radius_km", "notes"]}


# --- volunteers -------------------------------------------------------------------------------------


def test_a_coordinator_sees_their_volunteers_with_numbers_and_plain_words(client, coordinator, register):
    html = page(client, coordinator, "/volunteers/")
    assert "Nadia Near" in html and "Fred Further" in html and "Pat Paused" in html
    assert "Cath Coventry" not in html
    assert "07700 900101" in html
    assert "Shopping, Friendly phone calls or visits" in html
    assert "Speaks English, Somali" in html  # languages by name, not "so"
    assert "10 days ago" in html and "16 months ago" in html
    event = AuditEvent.objects.get(action="volunteer.contact.read")
    assert sorted(event.detail["volunteer_ids"]) == sorted(register[n].pk for n in ("nadia", "fred", "pat"))


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"q": "nadia"}, {"Nadia Near"}),
        ({"q": "B23 6SN"}, {"Fred Further"}),
        ({"q": "b236sn"}, {"Fred Further"}),
        ({"q": "07700 900102"}, {"Fred Further"}),
        ({"status": "paused"}, {"Pat Paused"}),
        ({"skill": "driving"}, {"Fred Further"}),
        ({"dbs": "standard"}, {"Nadia Near"}),
        ({"heard": "recent"}, {"Nadia Near"}),
        ({"heard": "silent"}, {"Pat Paused"}),
        ({"heard": "never"}, {"Fred Further"}),
    ],
)
def test_volunteers_are_searched_and_filtered(client, coordinator, register, params, found):
    html = page(client, coordinator, "/volunteers/", **params)
    names = {n for n in ("Nadia Near", "Fred Further", "Pat Paused", "Cath Coventry") if n in html}
    assert names == found


def test_a_viewer_reads_without_numbers_and_changes_nothing(client, viewer, register):
    html = page(client, viewer, "/volunteers/")
    assert "Nadia Near" in html and "07700 900101" not in html
    assert ">Edit<" not in html and 'value="pause"' not in html
    assert "Fred Further" not in page(client, viewer, "/volunteers/", q="07700 900102")  # no search by number
    nadia = register["nadia"]
    assert client.get(f"/volunteers/{nadia.pk}/edit/").status_code == 403
    assert client.post(f"/volunteers/{nadia.pk}/pause/", {"action": "pause"}).status_code == 403
    assert client.get(f"/groups/{register['larder'].pk}/edit/").status_code == 403
    nadia.refresh_from_db()
    assert nadia.status == Volunteer.Status.ACTIVE


def test_another_organisation_sees_nothing_of_them(client, other_coordinator, register):
    html = page(client, other_coordinator, "/volunteers/")
    assert "Cath Coventry" in html and "Nadia Near" not in html
    assert "Ladywood Larder" not in page(client, other_coordinator, "/groups/")
    assert client.get(f"/volunteers/{register['nadia'].pk}/edit/").status_code == 404
    assert client.post(f"/volunteers/{register['nadia'].pk}/pause/", {"action": "pause"}).status_code == 404
    assert client.get(f"/groups/{register['larder'].pk}/edit/").status_code == 404


def test_anonymous_and_roleless_logins_get_nothing(client, register):
    for path in ("/groups/", "/volunteers/", "/needs/closed/", "/needs/closed.csv"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    client.force_login(UserFactory(username="nobody"))
    for path in ("/groups/", "/volunteers/", "/needs/closed/", "/needs/closed.csv"):
        assert client.get(path).status_code == 403


def test_pause_and_resume_go_through_the_contact_state(client, coordinator, register):
    nadia = register["nadia"]
    client.force_login(coordinator)
    response = client.post(f"/volunteers/{nadia.pk}/pause/", {"action": "pause"}, follow=True)
    assert "Nadia Near is paused: no offers or call-outs until resumed." in response.content.decode()
    nadia.refresh_from_db()
    assert nadia.status == Volunteer.Status.PAUSED
    client.post(f"/volunteers/{nadia.pk}/pause/", {"action": "resume"})
    nadia.refresh_from_db()
    assert nadia.status == Volunteer.Status.ACTIVE
    actions = list(
        AuditEvent.objects.filter(action__startswith="volunteer.p").values_list("action", flat=True)
    )
    assert sorted(actions) == ["volunteer.pause"]
    assert AuditEvent.objects.filter(action="volunteer.resume").count() == 1


def test_an_opted_out_volunteer_cannot_be_resumed_by_staff(client, coordinator, register):
    fred = register["fred"]
    Volunteer.objects.filter(pk=fred.pk).update(status=Volunteer.Status.OPTED_OUT)
    client.force_login(coordinator)
    response = client.post(f"/volunteers/{fred.pk}/pause/", {"action": "resume"}, follow=True)
    assert "only they can opt back in, by texting START" in response.content.decode()
    fred.refresh_from_db()
    assert fred.status == Volunteer.Status.OPTED_OUT


def test_a_coordinator_corrects_a_volunteer_who_moved(client, coordinator, register):
    Postcode.objects.create(
        postcode="B23 6SN", district="B23", latitude=52.53, longitude=-1.83, local_authority=local_authority()
    )
    nadia = register["nadia"]
    client.force_login(coordinator)
    data = {
        "name": "Nadia Near",
        "email": "",
        "postcode": "b23 6sn",
        "skills": ["shopping"],
        "languages": ["en", "so"],
        "dbs_level": "enhanced",
        "max_travel_km": "5",
    }
    response = client.post(f"/volunteers/{nadia.pk}/edit/", data, follow=True)
    assert "Nadia Near is saved." in response.content.decode()
    nadia.refresh_from_db()
    assert (nadia.postcode, nadia.latitude, nadia.skills, nadia.max_travel_km) == (
        "B23 6SN",
        52.53,
        ["shopping"],
        5.0,
    )
    event = AuditEvent.objects.get(action="volunteer.update")
    assert event.detail == {"fields": ["postcode", "skills", "max_travel_km"]}
    bad = client.post(f"/volunteers/{nadia.pk}/edit/", {**data, "postcode": "QA1 1AA"})
    assert bad.status_code == 200 and "not" in bad.context["form"].errors["postcode"][0]


def test_the_list_is_paginated(client, coordinator, brum_aid):
    for i in range(30):
        MutualAidGroupFactory(name=f"Group {i:02d}", organisation=brum_aid)
    first = page(client, coordinator, "/groups/")
    assert "Group 00" in first and "Group 29" not in first and "Page 1 of 2" in first
    assert "Group 29" in page(client, coordinator, "/groups/", page=2)


# --- closed needs -----------------------------------------------------------------------------------


@pytest.fixture
def closed(brum_aid, coventry_together):
    now = timezone.now()
    done = NeedFactory(
        organisation=brum_aid,
        summary="Weekly shop",
        status="done",
        done_at=now,
        requester_name="Edna Example",
    )
    NeedFactory(organisation=brum_aid, summary="Hot meal", status="cancelled", cancelled_at=now)
    erased = NeedFactory(
        organisation=brum_aid,
        summary="Old prescription",
        status="expired",
        expired_at=now,
        requester_name="",
        requester_phone="",
        requester_address="",
        requester_erased_at=now,
    )
    NeedFactory(organisation=brum_aid, summary="Still open", status="open")
    NeedFactory(organisation=coventry_together, summary="Coventry shop", status="done", done_at=now)
    return done, erased


def test_closed_needs_are_listed_and_searched(client, coordinator, closed):
    html = page(client, coordinator, "/needs/closed/")
    assert "Weekly shop" in html and "Hot meal" in html and "Old prescription" in html
    assert "Still open" not in html and "Coventry shop" not in html
    assert "Hot meal" not in page(client, coordinator, "/needs/closed/", status="done")
    assert "Hot meal" not in page(client, coordinator, "/needs/closed/", q="weekly")


def read_csv(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv"
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_export_carries_requester_details_only_where_they_may_be_seen(
    client, coordinator, viewer, closed
):
    done, erased = closed
    client.force_login(coordinator)
    rows = {r["ref"]: r for r in read_csv(client.get("/needs/closed.csv"))}
    assert set(rows) == set(
        Need.objects.filter(organisation__slug="brum-aid")
        .exclude(status="open")
        .values_list("ref", flat=True)
    )
    assert rows[done.ref]["requester name"] == "Edna Example" and rows[done.ref]["requester address"]
    assert rows[erased.ref]["requester name"] == "" and rows[erased.ref]["requester phone"] == ""
    event = AuditEvent.objects.get(action="needs.closed.export")
    assert event.detail["needs"] == 3 and erased.pk not in event.detail["requester_need_ids"]

    client.force_login(viewer)
    rows = read_csv(client.get("/needs/closed.csv"))
    assert len(rows) == 3 and all(r["requester name"] == "" and r["requester phone"] == "" for r in rows)


def queries_for(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/groups/", "/volunteers/", "/needs/closed/"])
def test_a_page_of_the_register_costs_the_same_queries_however_many_rows(client, coordinator, brum_aid, path):
    group = MutualAidGroupFactory(organisation=brum_aid, status="dormant")

    def add(n):
        for _ in range(n):
            MembershipFactory(volunteer=VolunteerFactory(), group=group)
            MutualAidGroupFactory(organisation=brum_aid, status="dormant")
            NeedFactory(organisation=brum_aid, status="done", done_at=timezone.now())

    add(2)
    client.force_login(coordinator)
    client.get(path)  # warm the per-request caches that do not depend on rows
    few = queries_for(client, path)
    add(10)
    assert queries_for(client, path) == few
