"""Surge mode: many open needs at once, the least total travel under the same rules as a single
offer, shown against first come, first served, and every offer sent in one go through the same
offer path (so they then behave as single offers do)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from messaging.models import OutboundMessage
from needs.models import Need, Offer
from needs.services.claim import AcceptOutcome, offer_accept
from needs.services.offers import offers_expire_due
from needs.services.surge import surge_send
from needs.surge import surge_needs, surge_plan
from tests.factories import BIRMINGHAM, NeedFactory, UserFactory, VolunteerFactory
from volunteers.models import AuditEvent

pytestmark = pytest.mark.django_db
LAT, LON = BIRMINGHAM


@pytest.fixture(autouse=True)
def daytime(settings):
    settings.SMS_QUIET_HOURS = None


def at(km: float) -> dict:
    return {"latitude": LAT + km / 111.32, "longitude": LON}


def vol(km: float, **kwargs):
    return VolunteerFactory(max_travel_km=5, **at(km), **kwargs)


def need(organisation, km: float, minutes_ago: int = 0, **kwargs):
    return NeedFactory(
        organisation=organisation,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        search_radius_km=5,
        **at(km),
        **kwargs,
    )


@pytest.fixture
def crossing(brum_aid):
    """First come, first served sends the nearest volunteer to the first need and the other one a
    long way to the second; swapping them halves the travel."""
    first = need(brum_aid, 0.0, minutes_ago=10, summary="First posted")
    second = need(brum_aid, 2.0, minutes_ago=5, summary="Posted second")
    middle, behind = vol(1.0, name="Mo Middle"), vol(-1.05, name="Bea Behind")
    return first, second, middle, behind


def test_the_plan_assigns_at_the_least_total_travel_and_shows_first_come_first_served(crossing, coordinator):
    first, second, middle, behind = crossing
    plan = surge_plan(needs=surge_needs(user=coordinator))
    proposed = {row.need.pk: row.volunteer_id for row in plan.rows}
    assert proposed == {first.pk: behind.pk, second.pk: middle.pk}
    assert plan.total_km == pytest.approx(2.05, abs=0.02)
    assert plan.greedy_km == pytest.approx(4.05, abs=0.02) and plan.greedy_assigned == 2
    assert plan.saved_km == pytest.approx(2.0, abs=0.03)


def test_a_volunteer_is_proposed_for_one_need_at_most_and_the_others_say_why(brum_aid, coordinator):
    needs = [need(brum_aid, 0.1 * i, minutes_ago=10 - i) for i in range(3)]
    only = vol(0.5)
    nowhere = need(brum_aid, 40.0)  # far from everyone
    plan = surge_plan(needs=[*needs, nowhere])
    assert [r.volunteer_id for r in plan.rows].count(only.pk) == 1
    left = {r.need.pk: r.why_not for r in plan.unassigned}
    assert len(left) == 3
    assert left[nowhere.pk].startswith("Nobody who can take it is within 5.0 km")
    assert any(why.startswith("Everyone who could take it is the better choice") for why in left.values())


def test_the_same_hard_rules_as_a_single_offer(brum_aid, coordinator):
    lift = need(brum_aid, 0.0, needs_car=True, skills=["driving"])
    vol(0.2, has_car=False, skills=["driving"])
    vol(0.3, has_car=True, skills=[])
    driver = vol(0.4, has_car=True, skills=["driving"])
    busy = vol(0.1, has_car=True, skills=["driving"], max_open_assignments=1)
    NeedFactory(organisation=brum_aid, status=Need.Status.ASSIGNED, assigned_volunteer=busy)
    (row,) = surge_plan(needs=[lift]).rows
    assert row.volunteer_id == driver.pk


def test_only_open_needs_nobody_was_asked_about_of_the_coordinators_organisations(
    brum_aid, coventry_together, coordinator
):
    mine = need(brum_aid, 0.0, postcode="B23 6SN")
    need(brum_aid, 0.0, status=Need.Status.OFFERED)
    need(brum_aid, 0.0, status=Need.Status.ASSIGNED)
    need(coventry_together, 0.0)
    ended = timezone.now() - timedelta(hours=1)
    need(brum_aid, 0.0, window_start=ended - timedelta(hours=1), window_end=ended)
    other_district = need(brum_aid, 0.0, postcode="B1 1AA")
    assert set(surge_needs(user=coordinator)) == {mine, other_district}
    assert list(surge_needs(user=coordinator, district="b23")) == [mine]


def test_sending_offers_each_need_to_its_volunteer_through_the_outbox(crossing, coordinator):
    first, second, middle, behind = crossing
    outcome = surge_send(pairs=[(first.pk, behind.pk), (second.pk, middle.pk)], actor=coordinator)
    assert [(n.pk, name) for n, name in outcome.offered] == [
        (first.pk, "Bea Behind"),
        (second.pk, "Mo Middle"),
    ]
    for n, v in ((first, behind), (second, middle)):
        offer = Offer.objects.get(need=n)
        assert offer.volunteer == v and offer.expires_at is not None
        text = OutboundMessage.objects.get(dedupe_key=f"offer:{offer.pk}")
        assert text.to == v.phone and f"YES {n.ref}" in text.body
        n.refresh_from_db()
        assert n.status == Need.Status.OFFERED
    assert AuditEvent.objects.filter(action="need.offer", detail__surge=True).count() == 2


def test_a_need_taken_meanwhile_or_a_volunteer_no_longer_free_is_skipped_and_said_why(crossing, coordinator):
    first, second, middle, behind = crossing
    Need.objects.filter(pk=first.pk).update(status=Need.Status.CANCELLED)
    behind.status = "paused"
    behind.save()
    outcome = surge_send(pairs=[(first.pk, middle.pk), (second.pk, behind.pk)], actor=coordinator)
    assert outcome.offered == []
    assert [why for _, why in outcome.skipped] == [
        "it is cancelled now",
        "the volunteer proposed can no longer take it: offer it from its page",
    ]
    assert not Offer.objects.exists()


def test_another_organisations_needs_are_refused_before_anything_is_sent(crossing, other_coordinator):
    first, _second, middle, _behind = crossing
    with pytest.raises(PermissionDenied):
        surge_send(pairs=[(first.pk, middle.pk)], actor=other_coordinator)
    assert not Offer.objects.exists() and not OutboundMessage.objects.exists()


def test_a_surge_offer_then_behaves_as_a_single_offer(crossing, coordinator, settings):
    first, second, middle, behind = crossing
    spare = vol(0.05, name="Sam Spare")
    surge_send(pairs=[(first.pk, behind.pk), (second.pk, middle.pk)], actor=coordinator)
    # The first YES wins.
    assert offer_accept(offer=Offer.objects.get(need=second)) == AcceptOutcome.ACCEPTED
    # An offer not answered in time runs out, and the need goes to the next best.
    ran_out = Offer.objects.get(need=first).expires_at + timedelta(minutes=1)
    with time_machine.travel(ran_out):
        offers_expire_due()
    assert Offer.objects.get(need=first, volunteer=behind).status == Offer.Status.EXPIRED
    assert Offer.objects.filter(need=first, volunteer=spare, status=Offer.Status.OFFERED).exists()


# --- the page -----------------------------------------------------------------------------------
def test_the_page_proposes_and_one_button_sends_everything(client, crossing, coordinator):
    first, second, middle, behind = crossing
    client.force_login(coordinator)
    page = client.get("/needs/surge/").content.decode()
    assert "2 needs waiting. A volunteer is proposed for 2 of them, with 2.0 km of travel in all." in page
    assert "would give 2 needs a volunteer with 4.0 km of travel: this proposal saves 2.0 km." in page
    assert "Send all 2 offers" in page
    done = client.post("/needs/surge/", {"pair": [f"{first.pk}:{behind.pk}", f"{second.pk}:{middle.pk}"]})
    assert done.status_code == 200 and "2 needs offered." in done.content.decode()
    assert Offer.objects.count() == 2


@pytest.mark.parametrize(
    ("who", "expected"), [("viewer", 403), ("other_coordinator", 403), ("a login with no organisation", 403)]
)
def test_only_coordinators_of_the_needs_may_send_a_surge(client, request, crossing, who, expected):
    first, _second, middle, _behind = crossing
    client.force_login(
        UserFactory() if who == "a login with no organisation" else request.getfixturevalue(who)
    )
    if who != "other_coordinator":
        assert client.get("/needs/surge/").status_code == 403
    assert client.post("/needs/surge/", {"pair": [f"{first.pk}:{middle.pk}"]}).status_code == expected
    assert not Offer.objects.exists()


def test_another_organisations_coordinator_sees_none_of_these_needs(client, crossing, other_coordinator):
    client.force_login(other_coordinator)
    page = client.get("/needs/surge/").content.decode()
    assert "No open need is waiting to be offered" in page


def test_signed_out_goes_to_sign_in(client):
    response = client.get("/needs/surge/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_at_night_the_page_says_the_texts_wait_for_the_end_of_quiet_hours(
    client, crossing, coordinator, settings
):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    first, second, middle, behind = crossing
    settings.SMS_QUIET_HOURS = (time(21), time(8))
    client.force_login(coordinator)
    with time_machine.travel(datetime(2026, 12, 1, 23, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        done = client.post("/needs/surge/", {"pair": [f"{first.pk}:{behind.pk}", f"{second.pk}:{middle.pk}"]})
    page = done.content.decode()
    assert "2 needs offered. Offered to 2 volunteers. Their texts are" in page
    assert "quiet hours" in page


def test_the_plan_reads_a_few_rows_per_need_whatever_the_number_of_volunteers(
    brum_aid, django_assert_max_num_queries
):
    needs = [need(brum_aid, 0.3 * i) for i in range(10)]
    for i in range(200):
        vol(0.01 * i)
    # The matcher's two per need (one ring, the other tables' rules), its density map once, the names.
    with django_assert_max_num_queries(2 * len(needs) + 2):
        assert len(surge_plan(needs=needs).assigned) == len(needs)
