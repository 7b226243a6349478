"""The outbox is the queue: claim a row, check it may still go, wait for the rate, send, record.

Every step is safe to run twice and from any number of workers at once:
- the claim is a conditional UPDATE (queued/errored -> sending) and the only licence to send;
- the opt-out check happens after the claim, at the moment of sending, not only when queuing;
- a request that may have reached Twilio (timeout, dropped connection, dead worker) leaves the row
  ``unknown``: it is never resent until reconciliation has asked Twilio about it.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import timedelta

from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from messaging.conf import drain_seconds, sms_conf
from messaging.models import OptOut, OutboundMessage
from messaging.ratelimit import rate_penalise, rate_wait
from messaging.services import READY_STATES, message_status_apply, optout_record
from messaging.transports import OutgoingSms, SmsSendError, transport_get
from volunteers.models import Volunteer

log = logging.getLogger(__name__)
State = OutboundMessage.State

MAX_ATTEMPTS = 3
RETRY_DELAYS = (timedelta(minutes=5), timedelta(minutes=10))  # after the 1st and 2nd failed attempts
SLOW_DOWN = timedelta(seconds=30)


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
        reason = "opted_out" if message.opted_out else "unreachable"
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


def _send_failed(message: OutboundMessage, err: SmsSendError) -> str:
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
        Volunteer.objects.filter(phone=message.to, phone_unreachable_at__isnull=True).update(
            phone_unreachable_at=now
        )
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


def _ready_ids(limit: int = 20) -> list[int]:
    rows = list(
        OutboundMessage.objects.filter(state__in=READY_STATES, send_after__lte=timezone.now())
        .order_by("priority", "send_after", "pk")
        .values_list("pk", "priority")[:limit]
    )
    # Shuffle within a priority so that parallel workers do not all race for the same first row,
    # while urgent rows still come before bulk ones.
    out: list[int] = []
    for prio in sorted({p for _, p in rows}):
        group = [pk for pk, p in rows if p == prio]
        random.shuffle(group)
        out.extend(group)
    return out


def outbox_drain(*, message_id: int | None = None, budget_seconds: float | None = None) -> int:
    """Send ``message_id`` (if given and ready), then whatever else is ready, highest priority
    first, until the queue is empty or the time budget (below the task timeout) is spent."""
    deadline = time.monotonic() + (budget_seconds if budget_seconds is not None else drain_seconds())
    sent = 0
    if message_id is not None and message_send(message_id=message_id):
        sent += 1
    while time.monotonic() < deadline:
        ids = _ready_ids()
        if not ids:
            break
        for pk in ids:
            if time.monotonic() >= deadline:
                break
            if message_send(message_id=pk):
                sent += 1
    return sent


def outbox_sweep() -> dict:
    """Periodic: rows a dead worker left in ``sending`` become ``unknown``; ready rows nobody is
    sending (a lost task, the end of quiet hours or of a back-off) get drain tasks again."""
    from messaging.services import outbox_kick

    now = timezone.now()
    stale = OutboundMessage.objects.filter(
        state=State.SENDING, claimed_at__lt=now - timedelta(seconds=sms_conf("SMS_STALE_SENDING_SECONDS"))
    ).update(state=State.UNKNOWN, error_code="stale", error_message="The worker stopped while sending.")
    ready = OutboundMessage.objects.filter(state__in=READY_STATES, send_after__lte=now)
    urgent = ready.filter(priority__lt=OutboundMessage.Priority.BULK).exists()
    bulk = ready.filter(priority__gte=OutboundMessage.Priority.BULK).exists()
    if urgent:
        outbox_kick(message_id=None, priority=OutboundMessage.Priority.URGENT)
    if bulk:
        outbox_kick(message_id=None, priority=OutboundMessage.Priority.BULK)
    return {"stale": stale, "kicked": urgent or bulk}


def outbox_reconcile(*, limit: int = 200) -> dict:
    """Periodic: settle ``unknown`` rows by asking Twilio. Found: record what Twilio says. Not found
    after SMS_UNKNOWN_GRACE_SECONDS: the request never arrived, so the row may be sent again."""
    transport = transport_get()
    now = timezone.now()
    grace = timedelta(seconds=sms_conf("SMS_UNKNOWN_GRACE_SECONDS"))
    found = requeued = 0
    for message in OutboundMessage.objects.filter(state=State.UNKNOWN).order_by("claimed_at")[:limit]:
        since = (message.claimed_at or message.created_at) - timedelta(seconds=5)
        try:
            if message.provider_sid:
                remote = transport.fetch(message.provider_sid)
            else:
                remote = transport.find(to=message.to, body=message.body, since=since)
        except SmsSendError as err:
            log.warning("reconciliation of %s postponed: %s", message.pk, err)
            continue
        if remote is not None:
            OutboundMessage.objects.filter(pk=message.pk, provider_sid__isnull=True).update(
                provider_sid=remote.provider_sid
            )
            message_status_apply(
                message_id=message.pk,
                provider_sid=remote.provider_sid,
                status=remote.status or "sent",
                error_code=remote.error_code,
            )
            found += 1
        elif (message.claimed_at or message.created_at) < now - grace:
            if message.attempts >= MAX_ATTEMPTS:
                fields = {"state": State.FAILED, "final_at": now, "error_message": "Never reached Twilio."}
            else:
                fields = {"state": State.ERRORED, "send_after": now}
            requeued += OutboundMessage.objects.filter(pk=message.pk, state=State.UNKNOWN).update(**fields)
    return {"found": found, "requeued": requeued}
