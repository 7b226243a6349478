"""Sending in claimed batches: one claim per batch, never the same row twice, a STOP while a batch
waits, urgent first, and a worker dying between sending and recording."""

import itertools
import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connections
from django.utils import timezone

from messaging import sending, transports
from messaging.models import OptOut, OutboundMessage
from messaging.ratelimit import limiter_get
from messaging.recovery import outbox_reconcile, outbox_sweep
from messaging.sending import batch_send, messages_claim, outbox_drain
from messaging.services import message_queue

State = OutboundMessage.State
BULK = OutboundMessage.Priority.BULK


def rows(n, *, priority=BULK, prefix="b"):
    return OutboundMessage.objects.bulk_create(
        OutboundMessage(
            to=f"+44770090{i:04d}",
            body=f"{prefix} {i}",
            dedupe_key=f"{prefix}:{i}",
            purpose="t",
            priority=priority,
        )
        for i in range(n)
    )


@pytest.mark.django_db(transaction=True)
def test_workers_claiming_at_once_never_get_the_same_row():
    rows(300)
    got: list[list[int]] = []
    errors = []
    start = threading.Barrier(4)

    def worker():
        mine = []
        try:
            start.wait()
            while True:
                try:
                    batch = messages_claim(limit=7)
                except OperationalError as exc:
                    # SQLite's in-memory test database is shared-cache: a busy table fails at once
                    # ("table is locked") where a database file waits its busy timeout. Try again.
                    if "locked" not in str(exc):
                        raise
                    continue
                if not batch:
                    break
                mine.extend(m.pk for m in batch)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()
        got.append(mine)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    claimed = [pk for mine in got for pk in mine]
    assert len(claimed) == len(set(claimed)) == 300
    assert OutboundMessage.objects.filter(state=State.SENDING, attempts=1).count() == 300


@pytest.mark.django_db
def test_a_claim_takes_urgent_rows_first_and_only_ready_ones():
    bulk = rows(5)
    later = rows(2, prefix="later", priority=OutboundMessage.Priority.URGENT)
    OutboundMessage.objects.filter(pk__in=[m.pk for m in later]).update(
        send_after=timezone.now() + timedelta(hours=1)
    )
    urgent = rows(2, prefix="u", priority=OutboundMessage.Priority.URGENT)
    claimed = messages_claim(limit=4)
    assert [m.pk for m in claimed] == [urgent[0].pk, urgent[1].pk, bulk[0].pk, bulk[1].pk]
    rest = messages_claim(limit=10)  # not the two due in an hour
    assert [m.pk for m in rest] == [m.pk for m in bulk[2:]]


@pytest.mark.django_db
def test_a_batch_is_claimed_sent_and_recorded_in_a_fixed_number_of_queries(
    django_assert_num_queries, settings
):
    settings.REDIS_URL = ""
    rows(20)
    limiter_get().reserve(0)  # the limiter's row exists in a running system
    # claim, limiter, opt-out check, record (one UPDATE for all 20, inside a savepoint here), the
    # claim that finds the queue empty
    with django_assert_num_queries(7):
        assert outbox_drain(budget_seconds=5) == 20
    assert len(transports.outbox) == 20
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {State.SENT}
    assert OutboundMessage.objects.filter(provider_sid__startswith="SMLOCMEM").count() == 20


@pytest.mark.django_db
def test_stop_arriving_while_a_batch_waits_stops_the_rest_of_it(settings, monkeypatch):
    settings.SMS_MAX_PER_SECOND = 20  # 50 ms apart: the batch waits between texts
    settings.REDIS_URL = ""
    limiter_get().reset()
    batch = rows(4)
    claimed = messages_claim(limit=10)
    assert len(claimed) == 4  # one batch, all four already claimed before the STOP
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        if len(waits) == 2:  # after the first text left, before the second is due
            OptOut.objects.create(phone=batch[1].to, source="sms", keyword="STOP")
            OptOut.objects.create(phone=batch[3].to, source="sms", keyword="STOP")
        real_sleep(seconds)

    real_sleep = sending.time.sleep
    monkeypatch.setattr(sending, "_sleep", sleep)
    assert batch_send(claimed) == 4
    assert sorted(s.body for s in transports.outbox) == ["b 0", "b 2"]
    states = dict(OutboundMessage.objects.values_list("body", "state"))
    assert states == {"b 0": State.SENT, "b 1": State.CANCELLED, "b 2": State.SENT, "b 3": State.CANCELLED}
    assert OutboundMessage.objects.get(body="b 1").error_code == "opted_out"


@pytest.mark.django_db
def test_a_worker_dying_between_sending_and_recording_never_causes_a_resend(fake_twilio, monkeypatch):
    for i in range(5):
        message_queue(
            to=f"+4477009003{i:02d}", body=f"Call-out {i}", dedupe_key=f"c:{i}", purpose="t", priority=BULK
        )

    def die(*args, **kwargs):
        raise SystemExit("SIGKILL stands here: the process is gone before it records anything")

    monkeypatch.setattr(sending, "_batch_record", die)
    with pytest.raises(SystemExit):
        outbox_drain(budget_seconds=5)
    monkeypatch.undo()
    assert len(fake_twilio.creates()) == 5  # Twilio has them all ...
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {
        State.SENDING
    }  # ... we do not know
    assert outbox_drain(budget_seconds=1) == 0  # `sending` is nobody's to send again
    OutboundMessage.objects.update(claimed_at=timezone.now() - timedelta(minutes=5))
    assert outbox_sweep()["stale"] == 5
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {State.UNKNOWN}
    assert outbox_reconcile() == {"found": 5, "requeued": 0}
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {State.SENT}
    sids = set(OutboundMessage.objects.values_list("provider_sid", flat=True))
    assert sids == {m["sid"] for m in fake_twilio.created()}
    assert len(fake_twilio.creates()) == 5  # settled without a second send


@pytest.mark.django_db
def test_a_batch_through_the_real_client_records_each_outcome(fake_twilio):
    ok = [
        message_queue(
            to=f"+4477009004{i:02d}", body=f"T {i}", dedupe_key=f"r:{i}", purpose="t", priority=BULK
        )
        for i in range(3)
    ]
    fake_twilio.fail_next(21211)  # whichever text the server sees first fails permanently
    outbox_drain(budget_seconds=5)
    states = sorted(OutboundMessage.objects.filter(pk__in=[m.pk for m in ok]).values_list("state", flat=True))
    assert states == [State.FAILED, State.SENT, State.SENT]
    assert len(fake_twilio.created()) == 2
    assert OutboundMessage.objects.filter(state=State.SENT, provider_sid__isnull=True).count() == 0


@pytest.mark.django_db
def test_a_text_whose_slot_passed_takes_a_new_one_instead_of_bunching(settings, monkeypatch):
    settings.SMS_MAX_PER_SECOND = 20  # a slot every 50 ms
    settings.REDIS_URL = ""
    limiter_get().reset()
    rows(3)
    claimed = messages_claim(limit=10)
    groups = []  # (when, how many texts) each time the sender lets texts go
    real_blocked, real_sleep = sending._blocked, sending.time.sleep
    calls = []

    def blocked(phones):
        groups.append((sending.time.monotonic(), len(phones)))
        return real_blocked(phones)

    def held_up(seconds):
        calls.append(seconds)
        # The first wait overruns by 200 ms (a loaded machine): all three slots have passed.
        real_sleep(seconds + (0.2 if len(calls) == 1 else 0))

    monkeypatch.setattr(sending, "_blocked", blocked)
    monkeypatch.setattr(sending, "_sleep", held_up)
    assert batch_send(claimed) == 3
    # Let go late all at once they would leave together; re-slotted, one at a time, a slot apart
    # (timed where the sender decides, not in the sending threads, which a busy machine delays).
    assert [n for _, n in groups] == [1, 1, 1]
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(groups)]
    assert min(gaps) >= 0.04
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {State.SENT}


@pytest.mark.django_db
def test_a_status_callback_that_arrived_first_keeps_its_state_and_the_row_gets_its_sid(
    django_assert_num_queries,
):
    """Recording a batch: one statement for the rows still sending, one more only for a row a
    delivery callback already moved on (it keeps "delivered" and gains the sid)."""
    first, early = rows(2)
    OutboundMessage.objects.filter(pk__in=[first.pk, early.pk]).update(state=State.SENDING)
    OutboundMessage.objects.filter(pk=early.pk).update(state=State.DELIVERED)
    outcomes = [
        (sending.Claimed(m.pk, m.to, m.body, 1, 1, BULK), transports.SendResult(sid))
        for m, sid in ((first, "SM1"), (early, "SM2"))
    ]
    with django_assert_num_queries(4):  # savepoint, the batch's UPDATE, the late row's, release
        sending._batch_record(outcomes, {})
    got = dict(OutboundMessage.objects.values_list("provider_sid", "state"))
    assert got == {"SM1": State.SENT, "SM2": State.DELIVERED}
    assert OutboundMessage.objects.get(pk=first.pk).sent_at is not None
