"""The outbox is the queue: queueing, the claim, retries, unknown on timeout, opt-outs at send time."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from messaging import transports
from messaging.models import OptOut, OutboundMessage
from messaging.recovery import outbox_reconcile, outbox_sweep
from messaging.sending import message_claim, message_send, outbox_drain
from messaging.services import message_queue, message_status_apply, optout_record
from tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db
State = OutboundMessage.State
BULK = OutboundMessage.Priority.BULK


def queue(n=1, to="+447700900123", **kw):
    return message_queue(to=to, body=f"Hello {n}", dedupe_key=f"t:{n}:{to}", purpose="test", **kw)


def test_queueing_fills_segments_encoding_and_sends_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        m = message_queue(
            to="07700 900123", body="\u201cThanks\u201d " + "x" * 200, dedupe_key="k", purpose="t"
        )
        assert transports.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    m.refresh_from_db()
    assert (m.to, m.encoding, m.segments, m.body[:8]) == ("+447700900123", "gsm7", 2, '"Thanks"')
    assert m.state == State.SENT
    assert [s.to for s in transports.outbox] == ["+447700900123"]


def test_the_same_purpose_is_queued_and_sent_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = queue(1)
        b = queue(1)
    assert a.pk == b.pk
    assert len(transports.outbox) == 1


def test_an_opted_out_number_is_refused_at_queue_time():
    OptOut.objects.create(phone="+447700900123", source="sms")
    assert queue(1) is None
    assert not OutboundMessage.objects.exists()


def test_two_claims_one_wins():
    m = queue(1)
    assert message_claim(message_id=m.pk) is True
    assert message_claim(message_id=m.pk) is False
    m.refresh_from_db()
    assert (m.state, m.attempts) == (State.SENDING, 1)


def test_stop_in_the_middle_of_a_batch_stops_later_messages():
    messages = [queue(i, to=f"+4477009001{i:02d}", priority=BULK) for i in range(3)]
    assert message_send(message_id=messages[0].pk) == State.SENT
    # STOP lands between two sends; the row was queued before it and is checked at claim time.
    OptOut.objects.create(phone=messages[1].to, source="sms")
    assert message_send(message_id=messages[1].pk) == State.CANCELLED
    assert message_send(message_id=messages[2].pk) == State.SENT
    assert [s.to for s in transports.outbox] == [messages[0].to, messages[2].to]


def test_stop_cancels_what_is_queued_at_once():
    m = queue(1)
    optout_record(phone=m.to, source="sms", keyword="STOP")
    m.refresh_from_db()
    assert m.state == State.CANCELLED
    assert outbox_drain(budget_seconds=1) == 0
    assert transports.outbox == []


def test_urgent_is_sent_before_bulk():
    bulk = [queue(i, to=f"+4477009002{i:02d}", priority=BULK) for i in range(5)]
    urgent = queue(99, to="+447700900399")
    outbox_drain(budget_seconds=5)
    assert transports.outbox[0].to == urgent.to
    assert {s.to for s in transports.outbox[1:]} == {b.to for b in bulk}


def test_429_then_success_with_back_off(fake_twilio):
    m = queue(1)
    fake_twilio.fail_next("429")
    with time_machine.travel(datetime(2025, 3, 3, 12, 0, tzinfo=UTC), tick=False):
        m.send_after = timezone.now()
        m.save()
        assert message_send(message_id=m.pk) == State.ERRORED
        m.refresh_from_db()
        assert m.send_after == timezone.now() + timedelta(minutes=5)
        assert message_send(message_id=m.pk) == ""  # not before its time
    with time_machine.travel(datetime(2025, 3, 3, 12, 5, 1, tzinfo=UTC), tick=False):
        assert message_send(message_id=m.pk) == State.SENT
    m.refresh_from_db()
    assert m.attempts == 2 and m.provider_sid.startswith("SM")
    assert len(fake_twilio.created()) == 1


def test_three_failures_then_failed(fake_twilio):
    m = queue(1)
    fake_twilio.fail_next("500", count=3)
    start = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
    states = []
    for minutes in (0, 6, 17):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            if minutes == 0:
                OutboundMessage.objects.filter(pk=m.pk).update(send_after=timezone.now())
            states.append(message_send(message_id=m.pk))
    m.refresh_from_db()
    assert states == [State.ERRORED, State.ERRORED, State.FAILED]
    assert m.error_code == "500" and m.final_at is not None


def test_a_permanent_error_fails_at_once_and_marks_the_number(fake_twilio):
    v = VolunteerFactory(phone="+447700900555")
    m = queue(1, to=v.phone, volunteer=v)
    fake_twilio.fail_next(21211)
    assert message_send(message_id=m.pk) == State.FAILED
    v.refresh_from_db()
    assert v.phone_unreachable_at is not None
    # and the next text to that number is not even attempted
    m2 = queue(2, to=v.phone)
    assert message_send(message_id=m2.pk) == State.CANCELLED
    assert len(fake_twilio.creates()) == 1


def test_21610_records_an_opt_out(fake_twilio):
    m = queue(1)
    fake_twilio.fail_next(21610)
    assert message_send(message_id=m.pk) == State.FAILED
    assert OptOut.objects.get(phone=m.to).source == OptOut.Source.CARRIER


def test_slow_down_does_not_use_up_an_attempt(fake_twilio):
    m = queue(1)
    fake_twilio.fail_next(30001)
    assert message_send(message_id=m.pk) == State.ERRORED
    m.refresh_from_db()
    assert m.attempts == 0 and m.send_after > timezone.now()


def test_a_timeout_leaves_unknown_and_is_never_resent_blindly(fake_twilio, settings):
    m = queue(1)
    fake_twilio.fail_next("hang")
    assert message_send(message_id=m.pk) == State.UNKNOWN
    assert message_send(message_id=m.pk) == ""  # unknown is not claimable
    outbox_sweep()
    assert outbox_drain(budget_seconds=1) == 0
    # reconciliation finds the message Twilio did create, and settles it without a second send
    assert outbox_reconcile() == {"found": 1, "requeued": 0}
    m.refresh_from_db()
    assert m.state == State.SENT and m.provider_sid
    assert len(fake_twilio.creates()) == 1


def test_unknown_that_never_reached_twilio_is_sent_again_after_the_grace(fake_twilio, settings):
    m = queue(1)
    OutboundMessage.objects.filter(pk=m.pk).update(
        state=State.UNKNOWN, attempts=1, claimed_at=timezone.now() - timedelta(minutes=11)
    )
    assert outbox_reconcile() == {"found": 0, "requeued": 1}
    assert message_send(message_id=m.pk) == State.SENT
    assert len(fake_twilio.created()) == 1


def test_the_sweeper_turns_abandoned_sends_into_unknown_and_requeues_lost_tasks():
    stuck = queue(1)
    OutboundMessage.objects.filter(pk=stuck.pk).update(
        state=State.SENDING, claimed_at=timezone.now() - timedelta(minutes=5)
    )
    lost = OutboundMessage.objects.create(to="+447700900777", body="hi", dedupe_key="lost", purpose="t")
    result = outbox_sweep()
    stuck.refresh_from_db()
    lost.refresh_from_db()
    assert result["stale"] == 1 and stuck.state == State.UNKNOWN
    assert lost.state == State.SENT  # the sweeper's drain task sent it


def test_quiet_hours_hold_non_urgent_texts(settings):
    settings.SMS_QUIET_HOURS = (
        datetime.strptime("21:00", "%H:%M").time(),
        datetime.strptime("08:00", "%H:%M").time(),
    )
    # 22:30 in London in summer (BST) is 21:30 UTC
    with time_machine.travel(datetime(2025, 7, 1, 21, 30, tzinfo=UTC), tick=False):
        calm = queue(1)
        urgent = queue(2, urgent=True)
        assert calm.send_after == datetime(2025, 7, 2, 7, 0, tzinfo=UTC)  # 08:00 BST
        assert urgent.send_after == timezone.now()
        outbox_drain(budget_seconds=1)
    assert [s.body for s in transports.outbox] == ["Hello 2"]
    with time_machine.travel(datetime(2025, 7, 2, 7, 0, 1, tzinfo=UTC), tick=False):
        outbox_sweep()
    assert [s.body for s in transports.outbox] == ["Hello 2", "Hello 1"]


def test_quiet_hours_in_winter_and_daytime(settings):
    settings.SMS_QUIET_HOURS = (
        datetime.strptime("21:00", "%H:%M").time(),
        datetime.strptime("08:00", "%H:%M").time(),
    )
    with time_machine.travel(datetime(2025, 1, 10, 6, 0, tzinfo=UTC), tick=False):
        assert queue(1).send_after == datetime(2025, 1, 10, 8, 0, tzinfo=UTC)  # GMT
    with time_machine.travel(datetime(2025, 1, 10, 12, 0, tzinfo=UTC), tick=False):
        assert queue(2).send_after == timezone.now()


def test_status_callbacks_never_move_backwards():
    m = queue(1)
    message_send(message_id=m.pk)
    sid = OutboundMessage.objects.get(pk=m.pk).provider_sid
    message_status_apply(message_id=m.pk, provider_sid=sid, status="delivered")
    message_status_apply(message_id=m.pk, provider_sid=sid, status="sent")  # late
    message_status_apply(message_id=m.pk, provider_sid=sid, status="failed")  # after a final state
    m.refresh_from_db()
    assert (m.state, m.provider_status) == (State.DELIVERED, "delivered")
    message_status_apply(message_id=m.pk, provider_sid=sid, status="partially_delivered")
    m.refresh_from_db()
    assert (m.state, m.provider_status) == (State.DELIVERED, "partially_delivered")


def test_a_callback_before_the_worker_records_the_send_wins():
    m = queue(1)
    message_claim(message_id=m.pk)
    message_status_apply(message_id=m.pk, provider_sid="SMearly", status="delivered")
    m.refresh_from_db()
    assert m.state == State.DELIVERED and m.provider_sid == "SMearly"


def test_bulk_brake_pushes_new_bulk_texts_back(settings):
    settings.SMS_BULK_BACKLOG_MAX = 3
    settings.SMS_MAX_PER_SECOND = 1
    for i in range(4):
        OutboundMessage.objects.create(
            to="+447700900888", body="x", dedupe_key=f"b{i}", purpose="t", priority=BULK
        )
    late = queue(9, priority=BULK)
    assert late.send_after >= timezone.now() + timedelta(seconds=3)
    assert queue(10).send_after <= timezone.now()  # urgent texts are not braked
