"""The outbox is the queue: claim rows, check they may still go, wait for the rate, send, record.

Workers claim a batch of rows in one conditional UPDATE, send it from a few threads, and record the
outcomes in one transaction (two commits per batch instead of two per text); an urgent text kicked
on its own is claimed and sent alone (``message_send``), without waiting for a batch.

Every step is safe to run twice and from any number of workers at once:
- the claim is a conditional UPDATE (queued/errored -> sending) and the only licence to send;
- the opt-out check happens after the claim, at the moment of sending, not only when queuing;
- a request that may have reached Twilio (timeout, dropped connection, dead worker) leaves the row
  ``unknown``: it is never resent until reconciliation has asked Twilio about it.

The periodic repairs (the sweeper, reconciliation) are in ``messaging.recovery``.
"""

from __future__ import annotations

import bisect
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Value
from django.utils import timezone

from core.broker import q_cluster_int
from messaging.batch_record import sent_record
from messaging.models import OptOut, OutboundMessage
from messaging.ratelimit import rate_penalise, rate_reserve, rate_wait
from messaging.services import READY_STATES, optout_record, phone_unreachable_record
from messaging.transports import BaseTransport, OutgoingSms, SendResult, SmsSendError, transport_get
from volunteers.models import Volunteer

log = logging.getLogger(__name__)
State = OutboundMessage.State

MAX_ATTEMPTS = 3
RETRY_DELAYS = (timedelta(minutes=5), timedelta(minutes=10))  # after the 1st and 2nd failed attempts
SLOW_DOWN = timedelta(seconds=30)
BATCH_MAX = 50  # rows per claim: one claim and one record commit per this many texts


def message_claim(*, message_id: int) -> bool:
    """Take ``message_id`` for sending. True for exactly one caller, however many try at once."""
    now = timezone.now()
    return (
        OutboundMessage.objects.filter(pk=message_id, state__in=READY_STATES, send_after__lte=now).update(
            state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        == 1
    )


def _finish(message_id: int, **fields) -> bool:
    """Record an outcome only while the row is still ours (a status callback may have overtaken us)."""
    return OutboundMessage.objects.filter(pk=message_id, state=State.SENDING).update(**fields) == 1


def message_send(*, message_id: int) -> str:
    """Claim and send one message. Returns its new state, or "" when someone else had it."""
    if not message_claim(message_id=message_id):
        return ""
    message = (
        OutboundMessage.objects.annotate(
            opted_out=Exists(OptOut.objects.filter(phone=OuterRef("to"))),
            unreachable=Exists(
                Volunteer.objects.filter(phone=OuterRef("to"), phone_unreachable_at__isnull=False)
            ),
        )
        .only("id", "to", "body", "segments", "attempts")
        .get(pk=message_id)
    )
    now = timezone.now()
    if message.opted_out or message.unreachable:
        # error_code holds 10 characters: "unreachable" was refused by PostgreSQL.
        reason = "opted_out" if message.opted_out else "bad_number"
        _finish(message_id, state=State.CANCELLED, error_code=reason, final_at=now)
        return State.CANCELLED
    rate_wait(segments=message.segments)
    try:
        result = transport_get().send(OutgoingSms(message_id=message.pk, to=message.to, body=message.body))
    except SmsSendError as err:
        return _send_failed(message, err)
    now = timezone.now()
    if not _finish(
        message_id,
        state=State.SENT,
        provider_sid=result.provider_sid,
        provider_status=result.status,
        sent_at=now,
        error_code="",
        error_message="",
    ):
        # A status callback got here first and moved the row on; keep its state, add the sid.
        OutboundMessage.objects.filter(pk=message_id, provider_sid__isnull=True).update(
            provider_sid=result.provider_sid, sent_at=now
        )
    return State.SENT


def _send_failed(message: OutboundMessage | Claimed, err: SmsSendError) -> str:
    now = timezone.now()
    detail = {"error_code": err.code[:10], "error_message": str(err)[:500]}
    if err.maybe_sent:
        _finish(message.pk, state=State.UNKNOWN, **detail)
        log.warning("message %s: fate unknown (%s); reconciliation will ask Twilio", message.pk, err)
        return State.UNKNOWN
    if err.opted_out:
        _finish(message.pk, state=State.FAILED, final_at=now, **detail)
        optout_record(phone=message.to, source=OptOut.Source.CARRIER, keyword=err.code)
        return State.FAILED
    if err.bad_number:
        phone_unreachable_record(phone=message.to, at=now)
    if err.permanent:
        _finish(message.pk, state=State.FAILED, final_at=now, **detail)
        return State.FAILED
    if err.slow_down:
        # Twilio's queue for our sender is full: hold every worker back, and do not count this
        # against the message's attempts, it was not the message's fault.
        rate_penalise(seconds=SLOW_DOWN.total_seconds())
        _finish(
            message.pk, state=State.ERRORED, send_after=now + SLOW_DOWN, attempts=F("attempts") - 1, **detail
        )
        return State.ERRORED
    if message.attempts >= MAX_ATTEMPTS:
        _finish(message.pk, state=State.FAILED, final_at=now, **detail)
        return State.FAILED
    delay = RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS)) - 1]
    _finish(message.pk, state=State.ERRORED, send_after=now + delay, **detail)
    return State.ERRORED


@dataclass
class Claimed:
    """One row of a claimed batch: what sending and recording need, read by the claim itself."""

    pk: int
    to: str
    body: str
    segments: int
    attempts: int
    priority: int


_CLAIM_SQL = """
UPDATE {table} SET state = %s, claimed_at = %s, updated_at = %s, attempts = attempts + 1
WHERE id IN (
    SELECT id FROM {table} WHERE state IN (%s, %s) AND send_after <= %s
    ORDER BY priority, send_after, id LIMIT %s {lock}
) AND state IN (%s, %s)
RETURNING id, {to}, body, segments, attempts, priority
"""


def messages_claim(*, limit: int) -> list[Claimed]:
    """Take up to ``limit`` ready rows for sending in ONE conditional UPDATE ... RETURNING, highest
    priority first. A row is returned to exactly one caller however many claim at once: PostgreSQL
    skips rows another claim has locked (SKIP LOCKED) and re-checks the state of the rows it
    updates; SQLite runs one writer at a time. Like ``message_claim``, this is the only licence to
    send, and it commits at once (autocommit), so that a crash after it leaves rows in ``sending``
    for the sweeper, never back in ``queued``."""
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return _claim_one_by_one(limit)
    now = timezone.now()
    ops = connection.ops
    sql = _CLAIM_SQL.format(
        table=ops.quote_name(OutboundMessage._meta.db_table),
        to=ops.quote_name("to"),
        lock="FOR UPDATE SKIP LOCKED" if vendor == "postgresql" else "",
    )
    stamp = ops.adapt_datetimefield_value(now)
    ready = [str(s) for s in READY_STATES]
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(State.SENDING), stamp, stamp, *ready, stamp, limit, *ready])
        rows = cursor.fetchall()
    # RETURNING keeps no order: put it back, urgent first.
    return sorted((Claimed(*row) for row in rows), key=lambda c: (c.priority, c.pk))


def _claim_one_by_one(limit: int) -> list[Claimed]:
    ids = list(
        OutboundMessage.objects.filter(state__in=READY_STATES, send_after__lte=timezone.now())
        .order_by("priority", "send_after", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    mine = [pk for pk in ids if message_claim(message_id=pk)]
    rows = OutboundMessage.objects.filter(pk__in=mine).values_list(
        "pk", "to", "body", "segments", "attempts", "priority"
    )
    return sorted((Claimed(*row) for row in rows), key=lambda c: (c.priority, c.pk))


def batch_size() -> int:
    """Rows per claim: up to BATCH_MAX, and about half a second of sending at the cap, so that a
    low cap does not leave many rows waiting in ``sending`` behind the limiter."""
    return max(1, min(BATCH_MAX, int(settings.SMS_MAX_PER_SECOND) // 2))


_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_lock = threading.Lock()


def _send_pool() -> ThreadPoolExecutor:
    """The process's sending threads (built after the fork: django-q workers are forked)."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=settings.SMS_SEND_THREADS, thread_name_prefix="sms-send")
            _pool_pid = os.getpid()
        return _pool


def _blocked(phones: list[str]) -> dict[str, str]:
    """The numbers among ``phones`` that must not be texted now, with why: one query."""
    opted = (
        OptOut.objects.filter(phone__in=phones)
        .order_by()
        .annotate(why=Value("opted_out"))
        .values_list("phone", "why")
    )
    bad = (
        Volunteer.objects.filter(phone__in=phones, phone_unreachable_at__isnull=False)
        .order_by()
        .annotate(why=Value("bad_number"))
        .values_list("phone", "why")
    )
    return dict(opted.union(bad, all=True))


def _transport_send(transport: BaseTransport, message: Claimed) -> SendResult | SmsSendError:
    """Runs in a sending thread: HTTP only, no database (the thread has no transaction of ours)."""
    try:
        return transport.send(OutgoingSms(message_id=message.pk, to=message.to, body=message.body))
    except SmsSendError as err:
        return err


Outcome = tuple[Claimed, SendResult | SmsSendError]
Slot = tuple[float, Claimed]  # (monotonic time the text may leave, the text)


def batch_send(claimed: list[Claimed]) -> int:
    """Send a claimed batch and record every outcome in one transaction. Returns how many were handled.

    The limiter is asked once for the whole batch; each text leaves at the end of its own slot.
    Just before texts leave, the ones due at that moment are checked against opt-outs and bad
    numbers in one query, so a STOP that arrives while the batch waits for its slots stops the rest
    of it. Urgent texts in a batch are sent (and answered) before bulk ones start.
    """
    if not claimed:
        return 0
    transport = transport_get()
    pool = _send_pool()
    waits = rate_reserve(segments=[m.segments for m in claimed])
    t0 = time.monotonic()
    by_priority: dict[int, list[Slot]] = {}
    for message, wait in zip(claimed, waits, strict=True):
        by_priority.setdefault(message.priority, []).append((t0 + wait, message))
    late_after = _late_after()
    outcomes: dict[int, Outcome] = {}
    cancelled: dict[str, list[int]] = {}
    for prio in sorted(by_priority):
        futures = _slots_send(
            by_priority[prio],
            submit=lambda message: pool.submit(_transport_send, transport, message),
            late_after=late_after,
            cancelled=cancelled,
        )
        for message, future in futures:
            outcomes[message.pk] = (message, future.result())
    _batch_record(list(outcomes.values()), cancelled)
    return len(claimed)


def _late_after() -> float | None:
    """How late past its slot a text may still leave. A text whose slot passed while this process
    was held up (a busy machine) takes a new slot rather than leave late: catching up would bunch
    it with the next text and push a window above the cap. Only where a slot is long enough to
    miss; uncapped (None), nothing is ever late."""
    rate = float(settings.SMS_MAX_PER_SECOND)
    return 0.5 / rate if rate <= 1000 else None


def _slots_send(
    pending: list[Slot],
    *,
    submit: Callable[[Claimed], Future[SendResult | SmsSendError]],
    late_after: float | None,
    cancelled: dict[str, list[int]],
) -> list[tuple[Claimed, Future[SendResult | SmsSendError]]]:
    """Hand each text in ``pending`` (in slot order; emptied) to ``submit`` when its slot comes,
    except those to numbers blocked by then, which go into ``cancelled`` by reason."""
    futures = []
    while pending:
        delay = pending[0][0] - time.monotonic()
        if delay > 0:
            _sleep(delay)
        due = _due_take(pending, late_after=late_after)
        if not due:
            continue
        blocked = _blocked(sorted({m.to for m in due}))
        for message in due:
            if message.to in blocked:
                cancelled.setdefault(blocked[message.to], []).append(message.pk)
            else:
                futures.append((message, submit(message)))
    return futures


def _due_take(pending: list[Slot], *, late_after: float | None) -> list[Claimed]:
    """Take the texts due now off the front of ``pending``; one that is late takes a new slot."""
    now = time.monotonic()
    due = []
    while pending and pending[0][0] <= now + 0.001:
        due_at, message = pending.pop(0)
        if late_after is not None and now - due_at > late_after:
            (wait,) = rate_reserve(segments=[message.segments])
            bisect.insort(pending, (time.monotonic() + wait, message), key=lambda p: p[0])
            continue
        due.append(message)
    return due


def _batch_record(outcomes: list[Outcome], cancelled: dict[str, list[int]]) -> None:
    """Record a batch's outcomes, one commit for all. Rows a status callback already moved on keep
    its state (only the sid is added). A crash before this leaves the rows ``sending``: the sweeper
    makes them ``unknown`` and reconciliation asks Twilio, so nothing is sent twice."""
    now = timezone.now()
    sent = [(m.pk, r.provider_sid, r.status) for m, r in outcomes if not isinstance(r, SmsSendError)]
    with transaction.atomic():
        sent_record(rows=sent, now=now)
        for reason, ids in cancelled.items():
            OutboundMessage.objects.filter(pk__in=ids, state=State.SENDING).update(
                state=State.CANCELLED, error_code=reason, final_at=now
            )
        for message, result in outcomes:
            if isinstance(result, SmsSendError):
                _send_failed(message, result)


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _drain_seconds() -> float:
    """How long one drain task keeps sending: SMS_DRAIN_SECONDS, or half the task timeout."""
    return settings.SMS_DRAIN_SECONDS or max(1, q_cluster_int("timeout", 60) // 2)


def outbox_drain(*, message_id: int | None = None, budget_seconds: float | None = None) -> int:
    """Send ``message_id`` (if given and ready), then whatever else is ready, in claimed batches,
    highest priority first, until the queue is empty or the time budget (below the task timeout)
    is spent. Returns how many texts were handled (sent, failed, cancelled...)."""
    deadline = time.monotonic() + (budget_seconds if budget_seconds is not None else _drain_seconds())
    handled = 0
    if message_id is not None and message_send(message_id=message_id):
        handled += 1
    size = batch_size()
    while time.monotonic() < deadline:
        claimed = messages_claim(limit=size)
        if not claimed:
            break
        handled += batch_send(claimed)
    return handled
