"""An answering machine gets a short message and no menu; key 9 opts out of everything at once."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine

from messaging.models import OptOut
from messaging.services import message_queue
from needs.models import Need, Offer
from needs.services.offers import offers_make
from tests.voice.conftest import only_call, texts_to
from tests.voice.test_offer_by_call import a_need, called_volunteer
from voice.calling import call_queue, calls_dial_due
from voice.models import OutboundCall
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def test_an_answering_machine_hears_only_a_short_message_and_cannot_accept(phone_network, run_on_commit):
    volunteer = called_volunteer()
    need = a_need()
    run_on_commit(offers_make, need=need, count=1)
    sid = only_call(phone_network, volunteer.phone)

    call = phone_network.walker.answer(sid, machine=True)

    assert call.said == [
        "Hello, this is Rekindle with a message for a volunteer. Please call us back on "
        "0 7 7 0 0, 9 0 0 0 0 0. Thank you. Goodbye."
    ]
    assert call.ended and call.waiting is None
    row = OutboundCall.objects.get()
    assert row.answered_by == "machine_end_beep" and row.outcome == "answering machine"
    # A key posted for that call anyway (signed: a replay, a beep read as a key) takes nothing.
    url = f"http://testserver/voice/twilio/call/{row.pk}/keys/"
    params = {"CallSid": sid, "Digits": "1", "AccountSid": phone_network.account_sid}
    status, body = phone_network.walker.post(url, params, _sign(phone_network, url, params))
    assert status == 200 and "Edna" not in body and "<Gather" not in body
    need.refresh_from_db()
    assert need.status == Need.Status.OFFERED
    assert Offer.objects.get(need=need).status == Offer.Status.OFFERED


def _sign(server, url, params):
    from twilio.request_validator import RequestValidator

    return RequestValidator(server.auth_token).compute_signature(url, params)


def test_key_9_opts_out_of_texts_and_calls_until_start(phone_network, run_on_commit, text_in):
    volunteer = called_volunteer()
    need = a_need()
    run_on_commit(offers_make, need=need, count=1)
    sid = only_call(phone_network, volunteer.phone)
    phone_network.walker.answer(sid)

    call = phone_network.walker.press(sid, "9")

    assert call.said[-1].startswith("You will get no more calls or texts from us.")
    assert OptOut.objects.filter(phone=volunteer.phone).exists()
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.OPTED_OUT
    assert message_queue(to=volunteer.phone, body="hello", dedupe_key="t1", purpose="test") is None
    assert (
        call_queue(to=volunteer.phone, script="needs.offer", subject="x", dedupe_key="c1", purpose="t")
        is None
    )
    assert Offer.objects.get(need=need).status == Offer.Status.OFFERED  # the offer runs out as usual

    assert text_in(volunteer.phone, "START") == 200
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.ACTIVE
    again = run_on_commit(
        call_queue, to=volunteer.phone, script="needs.offer", subject="x", dedupe_key="c2", purpose="t"
    )
    assert again is not None


def test_a_call_queued_before_an_opt_out_is_never_dialled(phone_network, run_on_commit, settings, text_in):
    settings.SMS_QUIET_HOURS = (time(21, 0), time(8, 0))
    volunteer = called_volunteer()
    with time_machine.travel(datetime(2026, 11, 30, 23, 0, tzinfo=UTC), tick=False):
        row = run_on_commit(
            call_queue,
            to=volunteer.phone,
            script="needs.offer",
            subject="offer:0",
            dedupe_key="k",
            purpose="t",
        )
    assert row.send_after == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # quiet hours: not before 08:00
    text_in(volunteer.phone, "STOP")
    with time_machine.travel(datetime(2026, 12, 1, 8, 1, tzinfo=UTC)):
        calls_dial_due()
    row.refresh_from_db()
    assert row.state == OutboundCall.State.CANCELLED and row.error_code == "opted_out"
    assert phone_network.calls_created() == []


@pytest.mark.parametrize(
    ("urgency", "dialled_at_night"), [(Need.Urgency.CRITICAL, True), (Need.Urgency.NORMAL, False)]
)
def test_an_urgent_offer_calls_at_night_and_a_normal_one_waits(
    phone_network, run_on_commit, settings, urgency, dialled_at_night
):
    settings.SMS_QUIET_HOURS = (time(21, 0), time(8, 0))
    volunteer = called_volunteer()
    with time_machine.travel(datetime(2026, 11, 30, 23, 0, tzinfo=UTC)):
        need = a_need(urgency=urgency, window_start=None, window_end=None)
        run_on_commit(offers_make, need=need, count=1)
    assert bool(phone_network.calls_created()) == dialled_at_night
    assert texts_to(phone_network, volunteer.phone) == []
    with time_machine.travel(datetime(2026, 12, 1, 8, 1, tzinfo=UTC)):
        calls_dial_due()
    assert only_call(phone_network, volunteer.phone)
