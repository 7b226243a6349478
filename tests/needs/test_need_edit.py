"""A coordinator changes a need still waiting for a volunteer: saved and audited; a change to its
place or its rules withdraws the offers it no longer fits (those volunteers told plainly) and offers
it again; only the posting organisation's coordinators may."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from messaging.models import OutboundMessage
from needs.models import Need, Offer
from needs.services.editing import NeedNotEditable, need_update
from needs.services.offers import offers_make
from needs.services.posting import need_create
from tests.factories import BIRMINGHAM, NeedFactory, UserFactory, VolunteerFactory, local_authority
from volunteers.models import AuditEvent, Postcode

pytestmark = pytest.mark.django_db
LAT, LON = BIRMINGHAM
FAR_LAT = LAT + 8 / 111.32  # 8 km north


@pytest.fixture(autouse=True)
def daytime(settings):
    settings.SMS_QUIET_HOURS = None


@pytest.fixture(autouse=True)
def postcodes(db):
    brum = local_authority("Birmingham")
    Postcode.objects.create(
        postcode="B1 1AA", district="B1", latitude=LAT, longitude=LON, local_authority=brum
    )
    Postcode.objects.create(
        postcode="B23 6SN", district="B23", latitude=FAR_LAT, longitude=LON, local_authority=brum
    )


def vol(lat: float = LAT, km: float = 0.2, **kwargs):
    return VolunteerFactory(latitude=lat + km / 111.32, longitude=LON, max_travel_km=5, **kwargs)


def posted(brum_aid, **kwargs) -> Need:
    defaults = dict(
        organisation=brum_aid,
        posted_by=None,
        category="shopping",
        summary="A weekly shop",
        requester_name="Edna Example",
        address="1 Example Road",
        postcode="B1 1AA",
    )
    return need_create(**{**defaults, **kwargs})


def received(offers) -> None:
    """The offer texts left: the volunteers have them on their phones."""
    keys = [f"offer:{o.pk}" for o in offers]
    OutboundMessage.objects.filter(dedupe_key__in=keys).update(state=OutboundMessage.State.SENT)


def test_words_and_urgency_change_and_the_change_is_audited_without_values(brum_aid, coordinator):
    need = posted(brum_aid)
    change = need_update(
        need=need,
        actor=coordinator,
        changes={"summary": "Two weekly shops", "urgency": "high", "address": "2 New Road"},
    )
    assert change.changed == ["summary", "address", "urgency"]
    need.refresh_from_db()
    assert (need.summary, need.urgency, need.requester_address) == ("Two weekly shops", "high", "2 New Road")
    event = AuditEvent.objects.get(action="need.edit")
    assert event.actor == coordinator and event.detail["changed"] == ["summary", "address", "urgency"]
    assert "New Road" not in str(event.detail)


def test_nothing_changed_writes_nothing(brum_aid, coordinator):
    need = posted(brum_aid)
    assert need_update(need=need, actor=coordinator, changes={"summary": need.summary}).changed == []
    assert not AuditEvent.objects.filter(action="need.edit").exists()


def test_a_new_postcode_places_the_need_again_and_withdraws_the_offers_now_too_far(brum_aid, coordinator):
    near_old = [vol(), vol(km=0.4)]
    near_new = vol(FAR_LAT)
    need = posted(brum_aid)
    offers = offers_make(need=need, count=2)
    received(offers)
    change = need_update(need=need, actor=coordinator, changes={"postcode": "b23 6sn"})
    need.refresh_from_db()
    assert need.postcode == "B23 6SN" and need.latitude == pytest.approx(FAR_LAT)
    assert change.withdrawn == 2 and change.offered == 1
    assert set(Offer.objects.filter(status="withdrawn").values_list("volunteer_id", flat=True)) == {
        v.pk for v in near_old
    }
    assert Offer.objects.get(status="offered").volunteer_id == near_new.pk
    for v in near_old:
        told = OutboundMessage.objects.get(purpose="offer_withdrawn", to=v.phone)
        assert "has changed" in told.body and "no longer offered to you" in told.body
        assert "Edna" not in told.body
    assert AuditEvent.objects.get(action="need.edit").detail["offers_withdrawn"] == 2


def test_a_skill_added_withdraws_only_the_offers_it_no_longer_fits(brum_aid, coordinator):
    driver = vol(skills=["driving"])
    walker = vol(km=0.3, skills=["shopping"])
    spare_driver = vol(km=0.5, skills=["driving"])
    need = posted(brum_aid)
    received(offers_make(need=need, count=2))
    change = need_update(need=need, actor=coordinator, changes={"skills": ["driving"]})
    assert (change.withdrawn, change.offered) == (1, 1)
    status = dict(Offer.objects.values_list("volunteer_id", "status"))
    assert status == {driver.pk: "offered", walker.pk: "withdrawn", spare_driver.pk: "offered"}


def test_a_change_that_still_fits_everyone_keeps_the_offers(brum_aid, coordinator):
    vol(), vol(km=0.3)
    need = posted(brum_aid)
    received(offers_make(need=need, count=2))
    change = need_update(need=need, actor=coordinator, changes={"requires_dbs": "none", "summary": "Shop"})
    assert change.withdrawn == 0
    assert Offer.objects.filter(status="offered").count() == 2
    assert not OutboundMessage.objects.filter(purpose="offer_withdrawn").exists()


def test_a_window_already_ended_or_an_unknown_skill_is_refused_and_nothing_changes(brum_aid, coordinator):
    need = posted(brum_aid)
    ended = timezone.now() - timedelta(hours=1)
    with pytest.raises(ValidationError) as caught:
        need_update(
            need=need,
            actor=coordinator,
            changes={"window_start": ended - timedelta(hours=1), "window_end": ended, "skills": ["juggling"]},
        )
    assert set(caught.value.message_dict) == {"window_end", "skills"}
    need.refresh_from_db()
    assert need.window_end is None and need.skills == []


def test_an_assigned_need_cannot_be_changed(brum_aid, coordinator):
    need = NeedFactory(organisation=brum_aid, status=Need.Status.ASSIGNED)
    with pytest.raises(NeedNotEditable, match="assigned"):
        need_update(need=need, actor=coordinator, changes={"summary": "Other"})


# --- the page ---------------------------------------------------------------------------------------
def test_the_coordinator_changes_a_need_on_its_page(client, coordinator, brum_aid):
    need = posted(brum_aid)
    client.force_login(coordinator)
    page = client.get(f"/needs/{need.pk}/edit/")
    assert page.status_code == 200 and "Change need" in page.content.decode()
    response = client.post(
        f"/needs/{need.pk}/edit/",
        {"summary": "Two weekly shops", "postcode": "B1 1AA", "urgency": "high", "requires_dbs": "none"},
        follow=True,
    )
    assert f"Need {need.ref} is changed." in response.content.decode()
    need.refresh_from_db()
    assert need.summary == "Two weekly shops" and need.urgency == "high"


def test_the_page_shows_a_refused_change_on_the_form(client, coordinator, brum_aid):
    need = posted(brum_aid)
    client.force_login(coordinator)
    response = client.post(
        f"/needs/{need.pk}/edit/",
        {
            "summary": "Shop",
            "postcode": "B1 1AA",
            "urgency": "normal",
            "requires_dbs": "none",
            "window_end": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200 and "This window has already ended" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("viewer", 403), ("other_coordinator", 404), ("a login with no organisation", 404), ("anonymous", 302)],
)
def test_only_the_posting_organisations_coordinators_may_change_it(client, request, brum_aid, who, expected):
    need = posted(brum_aid)
    if who == "a login with no organisation":
        client.force_login(UserFactory())
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(f"/needs/{need.pk}/edit/").status_code == expected
    assert client.post(f"/needs/{need.pk}/edit/", {"summary": "Hijacked"}).status_code == expected
    need.refresh_from_db()
    assert need.summary == "A weekly shop"


# --- the API -------------------------------------------------------------------------------------
@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


def test_the_api_changes_a_need_with_patch(api, coordinator, brum_aid):
    need = posted(brum_aid)
    api.force_authenticate(coordinator)
    response = api.patch(
        f"/api/v1/needs/{need.pk}/", {"urgency": "critical", "skills": ["shopping"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["urgency"] == "critical" and response.json()["skills"] == ["shopping"]


def test_the_api_refuses_an_unknown_skill_and_an_assigned_need(api, coordinator, brum_aid):
    api.force_authenticate(coordinator)
    need = posted(brum_aid)
    bad = api.patch(f"/api/v1/needs/{need.pk}/", {"skills": ["juggling"]}, format="json")
    assert bad.status_code == 400 and "juggling" in str(bad.json())
    assigned = NeedFactory(organisation=brum_aid, status=Need.Status.ASSIGNED)
    assert api.patch(f"/api/v1/needs/{assigned.pk}/", {"summary": "x"}, format="json").status_code == 409


@pytest.mark.parametrize(("who", "expected"), [("viewer", 403), ("other_coordinator", 404)])
def test_the_api_lets_only_the_posting_coordinators_change_it(api, request, brum_aid, who, expected):
    need = posted(brum_aid)
    api.force_authenticate(request.getfixturevalue(who))
    assert (
        api.patch(f"/api/v1/needs/{need.pk}/", {"summary": "Hijacked"}, format="json").status_code == expected
    )
    need.refresh_from_db()
    assert need.summary == "A weekly shop"


def test_a_need_placed_by_a_point_keeps_its_place_when_its_words_change(brum_aid, coordinator):
    need = posted(brum_aid, postcode="", latitude=LAT + 0.001, longitude=LON)
    before = (need.latitude, need.longitude)
    need_update(need=need, actor=coordinator, changes={"summary": "Shop", "postcode": need.postcode})
    need.refresh_from_db()
    assert (need.latitude, need.longitude) == before and need.summary == "Shop"
