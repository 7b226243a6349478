"""Writes for SMS: queueing outbound messages, opt-outs, provider status.

``message_queue`` is the one door every outbound text goes through. Sending itself (claim, rate,
transport, retries) is in ``messaging.sending``; inbound texts in ``messaging.inbound``; the
inbox in ``messaging.inbox``.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from core.broker import broker_shared, q_cluster_int
from messaging.encoding import sms_normalise, sms_segments
from messaging.models import OptOut, OutboundMessage
from messaging.privacy import opt_out_rows
from messaging.timing import quiet_hours_end
from volunteers.contact_state import Event, contact_event_record
from volunteers.models import Volunteer
from volunteers.phones import phone_is_e164, phone_normalise

log = logging.getLogger(__name__)
State = OutboundMessage.State
READY_STATES = (State.QUEUED, State.ERRORED)


def phone_is_opted_out(phone: str) -> bool:
    """On the opt-out list, in clear or (once erased) as a keyed hash."""
    return opt_out_rows([phone]).exists()


def outbox_backlog_segments(*, priority: int | None = None) -> int:
    """Segments waiting to be sent (optionally of one priority): what a campaign checks before a wave."""
    qs = OutboundMessage.objects.filter(state__in=READY_STATES)
    if priority is not None:
        qs = qs.filter(priority=priority)
    return qs.aggregate(n=Sum("segments"))["n"] or 0


_backlog_memo: list[float] = [0.0, 0.0]  # (monotonic time, segments)


def _bulk_backlog_recent() -> int:
    """The bulk backlog, counted at most once a second per process: a campaign queueing thousands
    of texts must not count the whole queue for each one."""
    now = time.monotonic()
    if now - _backlog_memo[0] > 1.0:
        _backlog_memo[:] = [now, outbox_backlog_segments(priority=OutboundMessage.Priority.BULK)]
    return int(_backlog_memo[1])


def message_queue(
    *,
    to: str,
    body: str,
    dedupe_key: str,
    purpose: str,
    priority: int = OutboundMessage.Priority.URGENT,
    volunteer: Volunteer | None = None,
    urgent: bool = False,
    sender: str = "",
    about: str = "",
    about_phone: str = "",
) -> OutboundMessage | None:
    """Queue one text for sending, once per ``dedupe_key``; None when the number has opted out.

    Call inside the caller's transaction: the row and the caller's change commit together, and the
    send task is enqueued only after the commit. The body goes letter for letter: only the
    documented smart-encoding look-alikes (``GSM_REPLACEMENTS``: curly quotes, dashes...) are
    swapped and the ends trimmed; a letter outside GSM-7 makes the text UCS-2, never disappears
    (tests/messaging/test_no_letter_lost.py). Unless ``urgent`` (a reply to a text just received, an offer for an urgent need), a text
    queued in quiet hours waits for their end. ``sender`` prefixes the text ("Brum Aid: ...") when it
    does not already say who it is from. Raises ``InvalidPhone`` for a number that is not one.

    A text that carries someone else's details names them: ``about_phone`` is that person's number
    (their subject access and erasure find the text by it) and ``about`` what the caller calls the
    record ("need:12"; it finds and erases its texts by it). See docs/privacy.md.
    """
    if not phone_is_e164(to):
        to = phone_normalise(to)
    if phone_is_opted_out(to):
        return None
    text = sms_normalise(body).strip()
    if sender and not text.startswith(sender):
        text = f"{sender}: {text}"
    info = sms_segments(text)
    now = timezone.now()
    send_after = _send_after(now=now, urgent=urgent, priority=priority)
    message, created = _outbox_row_get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "to": to,
            "body": text,
            "segments": info.segments,
            "encoding": info.encoding,
            "purpose": purpose,
            "priority": priority,
            "volunteer": volunteer,
            "send_after": send_after,
            "about": about,
            "about_phone": about_phone,
        },
    )
    if created and send_after <= now:
        transaction.on_commit(partial(outbox_kick, message_id=message.pk, priority=priority))
    return message


def message_send_time(*, now: datetime, urgent: bool) -> datetime:
    """When a text queued at ``now`` goes, as far as quiet hours decide: at once when ``urgent``
    or outside them, otherwise when they end (08:00 London time by default). A caller whose
    answer window starts when its text arrives (an offer) counts from here."""
    if urgent:
        return now
    return quiet_hours_end(now, settings.SMS_QUIET_HOURS) or now


def _send_after(*, now: datetime, urgent: bool, priority: int) -> datetime:
    """When a text queued ``now`` may go: at once, or (unless ``urgent``) when quiet hours end."""
    send_after = message_send_time(now=now, urgent=urgent)
    if priority >= OutboundMessage.Priority.BULK:
        # The brake: past an hour's worth of queued bulk segments, a new bulk text is scheduled for
        # when the backlog should have drained, so that the queue (and the sweeper) never hold an
        # unbounded pile of "ready now" rows and urgent texts keep their place.
        backlog = _bulk_backlog_recent()
        if backlog > (settings.SMS_BULK_BACKLOG_MAX or settings.SMS_MAX_PER_SECOND * 3600):
            send_after = max(send_after, now + timedelta(seconds=backlog / settings.SMS_MAX_PER_SECOND))
    return send_after


def _outbox_row_get_or_create(*, dedupe_key: str, defaults: dict[str, Any]) -> tuple[OutboundMessage, bool]:
    try:
        with transaction.atomic():
            return OutboundMessage.objects.get_or_create(dedupe_key=dedupe_key, defaults=defaults)
    except IntegrityError:
        # Two callers raced on one dedupe_key: the other one's row stands.
        return OutboundMessage.objects.get(dedupe_key=dedupe_key), False


def _enqueue(func: str, *args) -> None:
    from django_q.tasks import async_task

    # SMS_TASKS_SYNC runs tasks inline (tests); otherwise the worker picks them up.
    if settings.SMS_TASKS_SYNC:
        async_task(func, *args, sync=True, task_name=func.rsplit(".", 1)[-1])
    else:
        async_task(func, *args, task_name=func.rsplit(".", 1)[-1], broker=broker_shared())


def outbox_kick(*, message_id: int | None = None, priority: int = OutboundMessage.Priority.URGENT) -> None:
    """Wake the senders. An urgent text gets its own task at once; bulk texts share a few drain
    tasks (one per worker, at most once a second), since each drain task sends until the queue is
    empty. A kick lost on a crash is made good by ``outbox_sweep``."""
    if priority < OutboundMessage.Priority.BULK:
        _enqueue("messaging.tasks.outbox_drain", message_id)
        return
    if cache.add("rekindle:sms:bulk-kick", 1, timeout=1):
        for _ in range(q_cluster_int("workers", 1)):
            _enqueue("messaging.tasks.outbox_drain", None)


WITHDRAWN = "withdrawn"  # error_code of a text its sender took back before it went


def messages_withdraw(
    *, ids=None, dedupe_key_prefix: str = "", reason: str, restore: bool = False
) -> list[int]:
    """Take back texts not yet handed to a sender (by ``ids`` and/or ``dedupe_key_prefix``): queued
    or errored rows become cancelled, with code "withdrawn" and ``reason``. A row already claimed
    for sending, or sent, is never touched: this is the same conditional UPDATE as the sender's
    claim, so whichever comes first wins. ``restore=True`` puts back what a withdrawal with the same
    ``reason`` took (same row and dedupe key, so it still goes at most once), except texts to
    numbers that opted out meanwhile. Returns the ids changed (exact where rows lock, PostgreSQL)."""
    if ids is None and not dedupe_key_prefix:
        raise ValueError("Say which messages: ids or dedupe_key_prefix.")
    qs = OutboundMessage.objects.all()
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if dedupe_key_prefix:
        qs = qs.filter(dedupe_key__startswith=dedupe_key_prefix)
    now = timezone.now()
    if restore:
        qs = qs.filter(
            state=State.CANCELLED, error_code=WITHDRAWN, error_message=reason[:500], provider_sid__isnull=True
        ).exclude(to__in=OptOut.objects.values("phone"))
        send_after = quiet_hours_end(now, settings.SMS_QUIET_HOURS) or now
        changes: dict[str, Any] = {
            "state": State.QUEUED,
            "error_code": "",
            "error_message": "",
            "final_at": None,
        }
        changes["send_after"] = send_after
    else:
        qs = qs.filter(state__in=READY_STATES)
        changes = {"state": State.CANCELLED, "error_code": WITHDRAWN, "error_message": reason[:500]}
        changes["final_at"] = now
    with transaction.atomic():
        rows = list(qs.select_for_update().values_list("pk", "priority"))
        changed = [pk for pk, _ in rows]
        if changed:
            qs.filter(pk__in=changed).update(**changes)
        if restore and changed and send_after <= now:
            for priority in {p for _, p in rows}:
                transaction.on_commit(partial(outbox_kick, message_id=None, priority=priority))
    return changed


def optout_record(*, phone: str, source: str, keyword: str = "") -> OptOut:
    """Opt ``phone`` out of every message, at once: queued texts to it are cancelled now, and the
    sender checks again at the moment of sending."""
    optout, _ = OptOut.objects.get_or_create(
        phone=phone, defaults={"source": source, "keyword": keyword[:20]}
    )
    now = timezone.now()
    OutboundMessage.objects.filter(to=phone, state__in=READY_STATES).update(
        state=State.CANCELLED, error_code="opted_out", error_message="The number opted out.", final_at=now
    )
    # The register's side (the volunteer's state, their links): volunteers.contact_state.
    contact_event_record(phone=phone, event=Event.STOP, now=now)
    return optout


def optout_remove(*, phone: str) -> bool:
    """START/UNSTOP: the number may be texted again (also after an erasure: the register still
    refuses to take the erased person back, volunteers.contact_state). True when it had opted out."""
    deleted, _ = opt_out_rows([phone]).delete()
    contact_event_record(phone=phone, event=Event.START)
    return bool(deleted)


# Twilio's statuses in the order a message moves through them. Our states rank: not yet with
# Twilio (0), with Twilio (1), final (2). A callback may arrive late or twice: never step back.
_TWILIO_TO_STATE = {
    "accepted": State.SENT,
    "scheduled": State.SENT,
    "queued": State.SENT,
    "sending": State.SENT,
    "sent": State.SENT,
    "delivered": State.DELIVERED,
    "read": State.DELIVERED,
    "undelivered": State.UNDELIVERED,
    "failed": State.FAILED,
    "canceled": State.CANCELLED,
}
_TWILIO_RANK = {"accepted": 1, "scheduled": 1, "queued": 2, "sending": 3, "sent": 4}
_STATE_RANK = {
    State.QUEUED: 0,
    State.ERRORED: 0,
    State.SENDING: 0,
    State.UNKNOWN: 0,
    State.SENT: 1,
    State.DELIVERED: 2,
    State.UNDELIVERED: 2,
    State.FAILED: 2,
    State.CANCELLED: 2,
}
# Delivery errors that mean the number cannot take texts (landline, unknown destination).
_BAD_NUMBER_DELIVERY_CODES = {"30005", "30006"}


def message_status_apply(
    *, message_id: int | None, provider_sid: str, status: str, error_code: str = ""
) -> OutboundMessage | None:
    """Apply a provider status (callback or reconciliation). Moves a message forward only.

    An unknown status is kept in ``provider_status`` (Twilio adds statuses) without changing state.
    """
    status = (status or "").strip().lower()[:30]
    lookup = Q(pk=message_id) if message_id else Q(provider_sid=provider_sid)
    message = OutboundMessage.objects.filter(lookup).first()
    if message is None:
        log.info("status %s for unknown message %s/%s", status, message_id, provider_sid)
        return None
    now = timezone.now()
    new_state = _TWILIO_TO_STATE.get(status)
    updates: dict[str, Any] = {}
    if provider_sid and not message.provider_sid:
        updates["provider_sid"] = provider_sid
    if new_state is None:
        updates["provider_status"] = status
        OutboundMessage.objects.filter(pk=message.pk).update(**updates)
    else:
        _state_move(
            message, new_state=new_state, status=status, error_code=error_code, updates=updates, now=now
        )
    if error_code == "21610":
        optout_record(phone=message.to, source=OptOut.Source.CARRIER, keyword="21610")
    elif error_code in _BAD_NUMBER_DELIVERY_CODES:
        phone_unreachable_record(phone=message.to, at=now)
    message.refresh_from_db()
    return message


def _state_move(
    message: OutboundMessage,
    *,
    new_state: State,
    status: str,
    error_code: str,
    updates: dict[str, Any],
    now: datetime,
) -> None:
    """Move ``message`` to ``new_state`` (with ``updates``) only from a state behind it; when it is
    already as far or further, apply only ``updates`` (the sid)."""
    rank = _STATE_RANK[new_state]
    behind = [s for s, r in _STATE_RANK.items() if r < rank]
    if new_state == State.SENT:
        # Among Twilio's own in-flight statuses, "sent" after "queued" is progress too.
        old = _TWILIO_RANK.get(message.provider_status, 0)
        if _TWILIO_RANK.get(status, 0) > old and message.state == State.SENT:
            behind.append(State.SENT)
    moved = {"state": new_state, "provider_status": status, **updates}
    if error_code:
        moved["error_code"] = error_code[:10]
    if rank == 2:
        moved["final_at"] = now
    if new_state == State.SENT and message.sent_at is None:
        moved["sent_at"] = now
    changed = OutboundMessage.objects.filter(pk=message.pk, state__in=behind).update(**moved)
    if not changed and updates:
        OutboundMessage.objects.filter(pk=message.pk).update(**updates)


def phone_unreachable_record(*, phone: str, at: datetime) -> None:
    """Twilio says ``phone`` cannot take texts (a landline, an unknown number): the register's
    volunteer with it becomes unreachable (volunteers.contact_state), and the sender stops texting
    them until a text from the number shows it works again."""
    contact_event_record(phone=phone, event=Event.UNREACHABLE, now=at)
