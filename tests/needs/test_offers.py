"""Offers: the right few people, a text that says enough and not too much, expiry and re-offers."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from messaging.encoding import is_gsm7, sms_segments
from messaging.models import OutboundMessage
from needs.models import Need, Offer
from needs.offer_links import offer_by_token
from needs.selectors import needs_without_candidates
from needs.services.offers import offer_decline, offers_expire_due, offers_make
from needs.services.posting import need_create
from tests.factories import BIRMINGHAM, OrganisationFactory, VolunteerFactory
from volunteers.models import Organisation

pytestmark = pytest.mark.django_db
LAT, LON = BIRMINGHAM
START = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def people(n, step_km=0.15):
    return [VolunteerFactory(latitude=LAT + (i + 1) * step_km / 111.32, longitude=LON) for i in range(n)]


def a_need(**kwargs):
    org = kwargs.pop("organisation", None) or OrganisationFactory()
    defaults = dict(
        organisation=org,
        posted_by=None,
        category="prescription",
        summary="Collect a prescription for someone self-isolating",
        details="Ring the bell twice.",
        requester_name="Edna Example",
        requester_phone="07700 900001",
        address="1 Example Road",
        postcode="B23 6AB",
        latitude=LAT,
        longitude=LON,
    )
    defaults.update(kwargs)
    return need_create(**defaults)


def test_a_need_is_offered_to_three_by_default_in_rank_order():
    vols = people(6)
    offers = offers_make(need=a_need())
    assert [o.volunteer_id for o in offers] == [v.pk for v in vols[:3]]
    assert [o.rank for o in offers] == [1, 2, 3]
    assert all(o.explanation["summary"].startswith(f"#{o.rank}:") for o in offers)
    assert Need.objects.get().status == Need.Status.OFFERED


@time_machine.travel(START - timedelta(days=1), tick=False)  # a window still to come
def test_the_offer_text_says_what_where_when_and_how_to_reply_but_never_the_address():
    people(1)
    need = a_need(window_start=START, window_end=START + timedelta(hours=2))
    (offer,) = offers_make(need=need, count=1)
    body = OutboundMessage.objects.get(dedupe_key=f"offer:{offer.id}").body
    assert need.ref in body and "Prescription collection" in body
    assert "near B23 (0.1 km)" in body
    assert "Mon 02 Jun 10:00-12:00" in body  # London time
    assert f"YES {need.ref}" in body and f"NO {need.ref}" in body
    link = re.search(r"https?://\S+(/o/[\w-]+/)", body)
    assert link and offer_by_token(token=link.group(1).split("/")[2]) == offer  # the link opens this offer
    for private in ("Example Road", "Edna", "900001", "Ring the bell", "6AB"):
        assert private not in body
    assert is_gsm7(body) and sms_segments(body).segments <= 2


def test_a_long_summary_with_curly_quotes_still_fits_two_gsm_segments():
    people(1)
    need = a_need(summary="\u201cBig\u201d weekly shop \u2013 heavy bags, \u2018two\u2019 trips\u2026 " * 4)
    (offer,) = offers_make(need=need, count=1)
    body = OutboundMessage.objects.get(dedupe_key=f"offer:{offer.id}").body
    assert is_gsm7(body) and sms_segments(body).segments <= 2
    assert '"Big" weekly shop - heavy bags' in body


@pytest.mark.parametrize(
    ("urgency", "minutes"), [("critical", 15), ("high", 60), ("normal", 240), ("low", 1440)]
)
def test_offers_expire_by_urgency(urgency, minutes):
    people(1)
    with time_machine.travel(START, tick=False):
        (offer,) = offers_make(need=a_need(urgency=urgency), count=1)
    assert offer.expires_at == START + timedelta(minutes=minutes)


def test_expiry_is_configurable(settings):
    settings.OFFER_EXPIRY_MINUTES = {**settings.OFFER_EXPIRY_MINUTES, "normal": 30}
    people(1)
    with time_machine.travel(START, tick=False):
        (offer,) = offers_make(need=a_need(), count=1)
    assert offer.expires_at == START + timedelta(minutes=30)


def test_expired_offers_go_to_the_next_candidates():
    vols = people(5)
    with time_machine.travel(START, tick=False):
        first = offers_make(need=a_need(urgency="critical"))
    with time_machine.travel(START + timedelta(minutes=14), tick=False):
        assert offers_expire_due() == {"expired": 0, "needs": 0, "reoffered": 0}
    with time_machine.travel(START + timedelta(minutes=15), tick=False):
        assert offers_expire_due()["reoffered"] == 2  # only two people left
        assert offers_expire_due()["expired"] == 0  # safe to run twice
    assert {o.status for o in Offer.objects.filter(pk__in=[o.pk for o in first])} == {"expired"}
    fresh = Offer.objects.filter(status=Offer.Status.OFFERED)
    assert {o.volunteer_id for o in fresh} == {vols[3].pk, vols[4].pk}
    assert [o.rank for o in fresh.order_by("rank")] == [4, 5]


def test_a_decline_offers_the_need_to_the_next_person_straight_away():
    vols = people(4)
    offers = offers_make(need=a_need())
    assert offer_decline(offer=offers[0]) == "declined"
    open_now = Offer.objects.filter(status=Offer.Status.OFFERED)
    assert {o.volunteer_id for o in open_now} == {vols[1].pk, vols[2].pk, vols[3].pk}
    assert offer_decline(offer=offers[0]) == "not_open"  # a second NO changes nothing
    assert OutboundMessage.objects.filter(purpose="offer").count() == 4


def test_when_nobody_within_reach_is_left_the_coordinators_see_the_need():
    (_only,) = people(1)
    need = a_need()
    (offer,) = offers_make(need=need)
    offer_decline(offer=offer)
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN
    assert list(needs_without_candidates(organisations=Organisation.objects.all())) == [need]
    offers_make(need=need)  # asking again does not alert twice
    from volunteers.models import AuditEvent

    assert AuditEvent.objects.filter(action="need.no_candidates").count() == 1


def test_offering_takes_a_bounded_number_of_queries(django_assert_num_queries):
    people(10)
    need = a_need()
    # savepoint, lock the need, match (density map on a cold cache, one level, the other tables'
    # rules with the history), max rank, insert, read back, status, release; the round's offer
    # links (one INSERT for all); then message_queue per offer (opt-out check and a get_or_create
    # in savepoints: 7). Nothing grows with the number of volunteers.
    with django_assert_num_queries(10 + 1 + 3 * 7):
        assert len(offers_make(need=need)) == 3
