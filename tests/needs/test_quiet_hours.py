"""Urgent means urgent: in quiet hours (21:00-08:00) offers and confirmations for critical and high
needs go at once, normal and low ones wait; a held offer's answer window starts when its text goes;
a held offer text is taken back when the need is taken, cancelled or the offer runs out, and nobody
is told "taken" about an offer they never received; every page that says "texted" says "held until
08:00" when it is."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from messaging import transports
from messaging.models import OutboundMessage
from messaging.recovery import outbox_sweep
from needs.models import Offer
from needs.services.lifecycle import need_cancel
from needs.services.offers import offers_expire_due, offers_make
from needs.services.posting import need_create
from tests.factories import BIRMINGHAM, StaffRoleFactory, VolunteerFactory
from tests.needs.sms_support import sent_to, text_in
from volunteers.models import StaffRole

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
LAT, LON = BIRMINGHAM
NIGHT = datetime(2026, 1, 13, 23, 7, tzinfo=LONDON)  # a Tuesday in winter (GMT)
EIGHT = datetime(2026, 1, 14, 8, 0, tzinfo=LONDON)
State = OutboundMessage.State


@pytest.fixture(autouse=True)
def quiet_hours(sms, settings):
    settings.SMS_QUIET_HOURS = (time(21), time(8))
    return sms


def people(n):
    return [
        VolunteerFactory(name=f"Helper {i}", latitude=LAT + (i + 1) * 0.15 / 111.32, longitude=LON)
        for i in range(n)
    ]


def a_need(organisation, urgency, **kwargs):
    return need_create(
        organisation=organisation,
        posted_by=None,
        category="prescription",
        summary="Insulin from the late-night chemist",
        details="Fridge is in the kitchen.",
        requester_name="Edna Example",
        requester_phone="07700 900001",
        requester_consents_to_sms=True,
        address="1 Example Road",
        postcode="B23 6AB",
        latitude=LAT,
        longitude=LON,
        urgency=urgency,
        **kwargs,
    )


def offer_texts(offers):
    return [OutboundMessage.objects.get(dedupe_key=f"offer:{o.pk}") for o in offers]


def test_a_critical_need_at_23_07_is_texted_at_once_and_so_is_everything_after_yes(
    client, quiet_hours, brum_aid
):
    vols = people(3)
    with time_machine.travel(NIGHT, tick=False):
        with quiet_hours(execute=True):
            offers = offers_make(need=a_need(brum_aid, "critical"))
        assert [m.state for m in offer_texts(offers)] == [State.SENT] * 3
        assert all(sent_to(v.phone) for v in vols)
        assert {o.expires_at for o in offers} == {NIGHT + timedelta(minutes=15)}
    winner, *losers = vols
    ref = offers[0].need.ref
    with time_machine.travel(NIGHT + timedelta(minutes=3), tick=False):
        assert (
            text_in(client, quiet_hours, phone=winner.phone, body=f"YES {ref}", sid="SM1").status_code == 200
        )
    details = [b for b in sent_to(winner.phone) if "Edna Example" in b]
    assert len(details) == 1 and "1 Example Road" in details[0]
    assert any("help is on its way" in b for b in sent_to("+447700900001"))
    for loser in losers:  # they had the offer, so they hear it is taken, now
        assert any("has been taken by another volunteer" in b for b in sent_to(loser.phone))
    assert not OutboundMessage.objects.filter(state=State.QUEUED).exists()


def test_a_high_need_at_00_44_has_its_hour_from_00_44(brum_aid, quiet_hours):
    people(1)
    at = datetime(2026, 1, 14, 0, 44, tzinfo=LONDON)
    with time_machine.travel(at, tick=False), quiet_hours(execute=True):
        (offer,) = offers_make(need=a_need(brum_aid, "high"), count=1)
    assert offer.expires_at == at + timedelta(hours=1)
    assert offer_texts([offer])[0].state == State.SENT


def test_a_normal_need_waits_for_08_00_and_its_answer_window_starts_then(brum_aid, quiet_hours):
    (vol,) = people(1)
    at = datetime(2026, 1, 14, 0, 44, tzinfo=LONDON)
    with time_machine.travel(at, tick=False), quiet_hours(execute=True):
        (offer,) = offers_make(need=a_need(brum_aid, "normal"), count=1)
    (text,) = offer_texts([offer])
    assert (text.state, text.send_after) == (State.QUEUED, EIGHT)
    assert sent_to(vol.phone) == []
    assert offer.expires_at == EIGHT + timedelta(minutes=240)
    with time_machine.travel(at + timedelta(hours=5), tick=False):  # 05:44: the old window was long over
        assert offers_expire_due()["expired"] == 0
    with time_machine.travel(EIGHT + timedelta(seconds=5), tick=False), quiet_hours(execute=True):
        outbox_sweep()
    text.refresh_from_db()
    assert text.state == State.SENT and "within 4 h" in sent_to(vol.phone)[0]
    with time_machine.travel(EIGHT + timedelta(minutes=239), tick=False):
        assert offers_expire_due()["expired"] == 0
    with time_machine.travel(EIGHT + timedelta(minutes=240), tick=False):
        assert offers_expire_due()["expired"] == 1


def test_a_cancelled_need_takes_back_its_held_offers_and_tells_nobody(brum_aid, quiet_hours):
    vols = people(3)
    with time_machine.travel(NIGHT, tick=False), quiet_hours(execute=True):
        need = a_need(brum_aid, "normal")
        offers = offers_make(need=need)
    with time_machine.travel(NIGHT + timedelta(minutes=20), tick=False), quiet_hours(execute=True):
        assert need_cancel(need=need, reason="family came")
    texts = offer_texts(offers)
    assert {(t.state, t.error_code) for t in texts} == {(State.CANCELLED, "withdrawn")}
    assert not OutboundMessage.objects.filter(purpose="offer_withdrawn").exists()
    with time_machine.travel(EIGHT + timedelta(minutes=1), tick=False), quiet_hours(execute=True):
        outbox_sweep()
    assert transports.outbox == []  # at 08:00 nobody gets the old offer, nor "cancelled"
    assert all(sent_to(v.phone) == [] for v in vols)


def test_taken_goes_only_to_those_who_received_the_offer(client, brum_aid, quiet_hours):
    """A normal need: one offer went at 20:55; two more were made at 21:30 and held. The first
    volunteer's YES at 21:40 takes the need: the two held offer texts are taken back and those two
    hear nothing; the accepter's details, for a normal need, wait for 08:00."""
    first, second, third = people(3)
    evening = datetime(2026, 1, 13, 20, 55, tzinfo=LONDON)
    with time_machine.travel(evening, tick=False), quiet_hours(execute=True):
        need = a_need(brum_aid, "normal")
        (early,) = offers_make(need=need, count=1)
    with time_machine.travel(evening + timedelta(minutes=35), tick=False), quiet_hours(execute=True):
        late = offers_make(need=need, count=2)
    assert [t.state for t in offer_texts([early, *late])] == [State.SENT, State.QUEUED, State.QUEUED]
    with time_machine.travel(evening + timedelta(minutes=45), tick=False):
        text_in(client, quiet_hours, phone=first.phone, body=f"yes {need.ref}", sid="SM2")
    assert [t.state for t in offer_texts(late)] == [State.CANCELLED, State.CANCELLED]
    assert not OutboundMessage.objects.filter(purpose="offer_withdrawn").exists()
    details = OutboundMessage.objects.get(purpose="offer_accepted")
    assert (details.state, details.send_after) == (State.QUEUED, EIGHT)
    with time_machine.travel(EIGHT + timedelta(minutes=1), tick=False), quiet_hours(execute=True):
        outbox_sweep()
    assert sent_to(second.phone) == [] and sent_to(third.phone) == []
    assert any("Edna Example" in b for b in sent_to(first.phone))


def test_an_offer_that_runs_out_before_its_text_leaves_is_not_sent_late(brum_aid, quiet_hours):
    (vol,) = people(1)
    with time_machine.travel(NIGHT, tick=False):
        (offer,) = offers_make(
            need=a_need(brum_aid, "critical"), count=1
        )  # commit hooks not run: still queued
        OutboundMessage.objects.filter(purpose="offer").update(state=State.ERRORED)  # and failing
    with time_machine.travel(NIGHT + timedelta(minutes=15), tick=False), quiet_hours(execute=True):
        assert offers_expire_due()["expired"] == 1
        outbox_sweep()
    (text,) = offer_texts([offer])
    assert (text.state, text.error_code) == (State.CANCELLED, "withdrawn")
    assert sent_to(vol.phone) == []
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.EXPIRED


# --- what the pages say ---------------------------------------------------------------------------------
@pytest.fixture
def coordinator_in(client, coordinator):
    client.force_login(coordinator)
    return client


def post_offers(client, capture, need):
    with capture(execute=True):
        return client.post(f"/needs/{need.pk}/offer/", {"count": 2}, follow=True)


def test_the_page_says_texted_for_a_critical_need_at_night(coordinator_in, quiet_hours, brum_aid):
    people(2)
    with time_machine.travel(NIGHT, tick=False):
        need = a_need(brum_aid, "critical")
        page = post_offers(coordinator_in, quiet_hours, need).content.decode()
    assert "Texted 2 volunteers: Helper 0, Helper 1." in page
    assert "held until" not in page


def test_the_page_says_held_until_08_00_for_a_normal_need_at_night(coordinator_in, quiet_hours, brum_aid):
    people(2)
    with time_machine.travel(NIGHT, tick=False):
        need = a_need(brum_aid, "normal")
        page = post_offers(coordinator_in, quiet_hours, need).content.decode()
        assert "Texted" not in page
        assert (
            "Offered to 2 volunteers: Helper 0, Helper 1. Their texts are held until 08:00 (quiet hours: "
            "only critical and high needs are texted at night)." in page
        )
        assert page.count("text held until 08:00 (quiet hours)") == 2  # in "Who was asked"
    with time_machine.travel(EIGHT + timedelta(minutes=1), tick=False), quiet_hours(execute=True):
        outbox_sweep()
        page = coordinator_in.get(f"/needs/{need.pk}/").content.decode()
    assert "held until" not in page


def test_the_api_says_held_until_08_00_too(coordinator, quiet_hours, brum_aid):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user=coordinator)
    people(1)
    with time_machine.travel(NIGHT, tick=False):
        need = a_need(brum_aid, "low")
        with quiet_hours(execute=True):
            answer = api.post(f"/api/v1/needs/{need.pk}/offers/", {"count": 1}, format="json")
    assert answer.status_code == 201
    assert answer.json()["message"].startswith("Offered to 1 volunteer. Their texts are held until 08:00")


def test_a_campaigns_progress_says_how_many_texts_are_held_and_until_when(client, brum_aid, quiet_hours):
    from reactivation.selectors.campaigns import campaign_progress
    from tests.factories import CampaignFactory, CampaignRecipientFactory

    manager = StaffRoleFactory(organisation=brum_aid, role=StaffRole.Role.CAMPAIGN_MANAGER).user
    cache.clear()
    with time_machine.travel(NIGHT, tick=False):
        campaign = CampaignFactory(organisation=brum_aid, status="running", started_at=NIGHT, current_wave=1)
        from messaging.services import message_queue

        for i, vol in enumerate(people(3)):
            message = message_queue(
                to=vol.phone, body="Can you help?", dedupe_key=f"c:{i}", purpose="campaign_call", priority=50
            )
            CampaignRecipientFactory(
                campaign=campaign, volunteer=vol, wave=1, rank=i, state="messaged", message=message
            )
        progress = campaign_progress(campaign=campaign)
        assert (progress["contacted"], progress["held"], progress["held_until"]) == (3, 3, "08:00")
        client.force_login(manager)
        page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "3 of " in page and "; 3 held until 08:00" in page


def test_a_need_cancelled_at_night_after_yes_sends_no_held_details_at_08_00(client, brum_aid, quiet_hours):
    """A normal need accepted at 21:40 (by someone who had the offer before 21:00): the details and
    "help is coming" wait for 08:00. Cancelled at 23:30, neither goes; the accepter hears it is
    cancelled instead."""
    (helper,) = people(1)
    evening = datetime(2026, 1, 13, 20, 55, tzinfo=LONDON)
    with time_machine.travel(evening, tick=False), quiet_hours(execute=True):
        need = a_need(brum_aid, "normal")
        offers_make(need=need, count=1)
    with time_machine.travel(evening + timedelta(minutes=45), tick=False):
        text_in(client, quiet_hours, phone=helper.phone, body=f"yes {need.ref}", sid="SM3")
    with time_machine.travel(evening + timedelta(hours=2, minutes=35), tick=False), quiet_hours(execute=True):
        assert need_cancel(need=need, reason="sorted by family")
    held = OutboundMessage.objects.filter(purpose__in=["offer_accepted", "requester_help_coming"])
    assert {(m.state, m.error_code) for m in held} == {(State.CANCELLED, "withdrawn")} and held.count() == 2
    with time_machine.travel(EIGHT + timedelta(minutes=1), tick=False), quiet_hours(execute=True):
        outbox_sweep()
    later = sent_to(helper.phone)[1:]  # after the offer (20:55) and the reply to YES
    assert [b for b in later if "Edna" in b] == []
    assert any("is no longer needed (cancelled)" in b for b in later)
    assert sent_to("+447700900001") == []
