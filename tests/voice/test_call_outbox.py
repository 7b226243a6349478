"""The call outbox keeps the texts' promises: never placed twice, retried only when Twilio says
the call did not happen, replayed reports change nothing, forged ones are refused, the rate holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from needs.models import Need
from needs.services.offers import offers_make
from tests.fakes.call_walker import APPLICATION_ERROR
from tests.voice.conftest import only_call
from tests.voice.test_offer_by_call import a_need, called_volunteer
from voice.call_recovery import calls_sweep
from voice.calling import call_dial
from voice.models import OutboundCall

pytestmark = pytest.mark.django_db
State = OutboundCall.State


def offer_call(phone_network, run_on_commit):
    volunteer = called_volunteer()
    need = a_need()
    run_on_commit(offers_make, need=need, count=1)
    return volunteer, need, OutboundCall.objects.get(volunteer=volunteer)


def test_a_busy_call_is_tried_once_more_after_a_pause_and_never_doubled(phone_network, run_on_commit):
    phone_network.fail_next_call("busy")
    volunteer, need, row = offer_call(phone_network, run_on_commit)
    first = only_call(phone_network, volunteer.phone)
    phone_network.walker.ring(first)
    row.refresh_from_db()
    assert (
        row.state == State.RETRY
        and row.attempts == 1
        and row.send_after > timezone.now() + timedelta(minutes=4)
    )

    assert phone_network.walker.status_fire(first, "busy") == 204  # Twilio's retry of the callback
    assert calls_sweep()["dialled"] == 0  # not before the back-off
    assert call_dial(call_id=row.pk) == ""
    row.refresh_from_db()
    assert row.state == State.RETRY and len(phone_network.call_creates()) == 1

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert calls_sweep()["dialled"] == 1
        assert calls_sweep()["dialled"] == 0
    assert len(phone_network.call_creates()) == 2
    second = next(c["sid"] for c in phone_network.calls_created() if c["sid"] != first)
    phone_network.walker.answer(second)
    phone_network.walker.press(second, "1")
    need.refresh_from_db()
    assert need.status == Need.Status.ASSIGNED
    row.refresh_from_db()
    assert row.state == State.COMPLETED and row.attempts == 2 and row.provider_sid == second


def test_after_the_last_attempt_a_call_is_given_up(phone_network, run_on_commit, monkeypatch):
    monkeypatch.setattr("voice.calling.MAX_ATTEMPTS", 2)
    phone_network.fail_next_call("no-answer", count=2)
    volunteer, _, row = offer_call(phone_network, run_on_commit)
    phone_network.walker.ring(only_call(phone_network, volunteer.phone))
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        calls_sweep()
    second = phone_network.calls_created()[-1]["sid"]
    phone_network.walker.ring(second)
    row.refresh_from_db()
    assert row.state == State.UNANSWERED and row.attempts == 2
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert calls_sweep()["dialled"] == 0
    assert len(phone_network.call_creates()) == 2


def test_a_status_callback_replayed_changes_nothing(phone_network, run_on_commit):
    volunteer, _, row = offer_call(phone_network, run_on_commit)
    sid = only_call(phone_network, volunteer.phone)
    phone_network.walker.answer(sid)
    phone_network.walker.press(sid, "2")
    row.refresh_from_db()
    before = (row.state, row.attempts, row.duration_seconds, row.final_at, row.send_after)
    for status in ("completed", "completed", "in-progress", "busy", "ringing"):
        assert phone_network.walker.status_fire(sid, status, CallDuration="99") == 204
    row.refresh_from_db()
    assert (row.state, row.attempts, row.duration_seconds, row.final_at, row.send_after) == before
    assert len(phone_network.call_creates()) == 1


def test_forged_status_and_key_webhooks_get_403_and_change_nothing(phone_network, run_on_commit):
    volunteer, need, row = offer_call(phone_network, run_on_commit)
    sid = only_call(phone_network, volunteer.phone)
    assert phone_network.walker.status_fire(sid, "busy", token="forged") == 403
    row.refresh_from_db()
    assert row.state == State.PLACED

    phone_network.walker.answer(sid)
    call = phone_network.walker.press(sid, "1", token="forged")
    assert call.last_status == 403 and call.said[-1] == APPLICATION_ERROR
    need.refresh_from_db()
    assert need.status == Need.Status.OFFERED
    unsigned = Client().post(f"/voice/twilio/call/{row.pk}/keys", {"CallSid": sid, "Digits": "1"})
    assert unsigned.status_code == 403
    need.refresh_from_db()
    assert need.status == Need.Status.OFFERED


def test_an_api_error_is_retried_and_a_timeout_is_never_redialled_blind(phone_network, run_on_commit):
    phone_network.fail_next_call("500")
    _, _, row = offer_call(phone_network, run_on_commit)
    row.refresh_from_db()
    assert row.state == State.RETRY and phone_network.calls_created() == []

    phone_network.fail_next_call("hang")  # Twilio has the call; its answer comes too late
    OutboundCall.objects.filter(pk=row.pk).update(send_after=timezone.now())  # the back-off is over
    assert call_dial(call_id=row.pk) == State.UNKNOWN
    (placed,) = phone_network.calls_created()
    assert calls_sweep() == {"unknown": 0, "settled": 1, "dialled": 0}  # asked Twilio, not redialled
    row.refresh_from_db()
    assert row.state == State.PLACED and row.provider_sid == placed["sid"]
    assert len(phone_network.calls_created()) == 1


def test_calls_keep_to_the_calls_per_second_cap(phone_network, run_on_commit, settings):
    settings.VOICE_MAX_CALLS_PER_SECOND = 4
    for _ in range(4):
        offer_call(phone_network, run_on_commit)
    times = sorted(r.at for r in phone_network.call_creates())
    assert len(times) == 4 and times[-1] - times[0] >= 0.7  # 4 calls at 4 a second: at least 3 gaps
