"""The call outbox: queue a call once, claim it before dialling, dial at the capped rate, retry
only when Twilio says the call did not happen. The only module that writes ``OutboundCall.state``
(with voice.call_status for what Twilio reports, and voice.call_recovery for the repairs).

The discipline is the texts' (messaging.sending): the claim is a conditional UPDATE (queued or
retry -> dialling) that one caller wins; the opt-out is checked after the claim, at the moment of
dialling; a request that may have reached Twilio (a timeout) leaves the row ``unknown``, never
dialled again until reconciliation asked Twilio about it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.broker import broker_shared
from messaging.ratelimit import rate_penalise, rate_wait_named
from messaging.services import phone_is_opted_out
from messaging.timing import quiet_hours_end
from messaging.transports import SmsSendError
from messaging.webhooks import webhook_url
from voice.models import OutboundCall
from voice.registry import script_get
from voice.transports import OutgoingCall, call_transport_get
from volunteers.models import Volunteer
from volunteers.phones import phone_is_e164, phone_normalise

log = logging.getLogger(__name__)
State = OutboundCall.State
# After the 1st and 2nd call that did not happen (busy, no answer, failed), then the last delay again.
RETRY_DELAYS = (timedelta(minutes=5), timedelta(minutes=15))
MAX_ATTEMPTS = 3  # the first call and two retries
SLOW_DOWN = timedelta(seconds=30)
LIMITER = "calls"
WITHDRAWN = "withdrawn"
HELD = "held"  # taken back for a while (a paused campaign); ``calls_restore`` puts it back


def call_time(*, now: datetime, urgent: bool) -> datetime:
    """When a call queued (or retried) at ``now`` may go: at once when urgent, else after quiet hours."""
    if urgent:
        return now
    return quiet_hours_end(now, settings.SMS_QUIET_HOURS) or now


def call_queue(
    *,
    to: str,
    script: str,
    subject: str,
    dedupe_key: str,
    purpose: str,
    volunteer: Volunteer | None = None,
    language: str = "en",
    urgent: bool = False,
) -> OutboundCall | None:
    """Queue one call, once per ``dedupe_key``; None when the number has opted out. Call inside the
    caller's transaction: the dial task is enqueued after the commit. Unless ``urgent``, a call
    queued in quiet hours waits for their end. Raises InvalidPhone for a number that is not one."""
    if not phone_is_e164(to):
        to = phone_normalise(to)
    if phone_is_opted_out(to):
        return None
    now = timezone.now()
    send_after = call_time(now=now, urgent=urgent)
    defaults = {
        "to": to,
        "script": script,
        "subject": subject,
        "purpose": purpose,
        "volunteer": volunteer,
        "language": language or "en",
        "urgent": urgent,
        "send_after": send_after,
    }
    try:
        with transaction.atomic():
            call, created = OutboundCall.objects.get_or_create(dedupe_key=dedupe_key, defaults=defaults)
    except IntegrityError:  # two callers raced on one key: the other one's row stands
        call, created = OutboundCall.objects.get(dedupe_key=dedupe_key), False
    if created and send_after <= now:
        transaction.on_commit(partial(call_kick, call_id=call.pk))
    return call


def call_kick(*, call_id: int) -> None:
    """Dial ``call_id`` from a worker (inline under SMS_TASKS_SYNC, as texts do). A kick lost on a
    crash is made good by the sweep (voice.call_recovery), which dials whatever is due."""
    from django_q.tasks import async_task

    if settings.SMS_TASKS_SYNC:
        async_task("voice.tasks.call_dial", call_id, sync=True, task_name="call_dial")
    else:
        async_task("voice.tasks.call_dial", call_id, task_name="call_dial", broker=broker_shared())


def call_claim(*, call_id: int) -> bool:
    """Take ``call_id`` for dialling. True for exactly one caller, however many try at once."""
    now = timezone.now()
    return (
        OutboundCall.objects.filter(
            pk=call_id, state__in=OutboundCall.READY_STATES, send_after__lte=now
        ).update(state=State.DIALLING, claimed_at=now, attempts=F("attempts") + 1)
        == 1
    )


def _finish(call_id: int, **fields) -> bool:
    """Record an outcome only while the row is still ours (a status callback may have overtaken us)."""
    return OutboundCall.objects.filter(pk=call_id, state=State.DIALLING).update(**fields) == 1


def call_urls(call_id: int) -> tuple[str, str]:
    """The TwiML URL and the status callback URL of a call, as Twilio will sign them."""
    return (
        webhook_url(f"/voice/twilio/call/{call_id}/"),
        webhook_url(f"/voice/twilio/status/?c={call_id}"),
    )


def _why_not(call: OutboundCall) -> str:
    """Why a claimed call must not be dialled now ("" when it may)."""
    if phone_is_opted_out(call.to):
        return "opted_out"
    if call.volunteer is not None and call.volunteer.status in (
        Volunteer.Status.OPTED_OUT,
        Volunteer.Status.ERASED,
    ):
        return "opted_out"
    script = script_get(call.script)
    if script is None:
        return "no_script"
    if script.wanted is not None and not script.wanted(call):
        return "not_wanted"
    return ""


def call_dial(*, call_id: int) -> str:
    """Claim and dial one call. Returns its new state, or "" when someone else had it."""
    if not call_claim(call_id=call_id):
        return ""
    call = OutboundCall.objects.select_related("volunteer").get(pk=call_id)
    reason = _why_not(call)
    if reason:
        _finish(call_id, state=State.CANCELLED, error_code=reason, final_at=timezone.now())
        return State.CANCELLED
    rate_wait_named(name=LIMITER, per_second=settings.VOICE_MAX_CALLS_PER_SECOND)
    url, callback = call_urls(call_id)
    try:
        placed = call_transport_get().place(
            OutgoingCall(call_id=call_id, to=call.to, url=url, status_callback=callback)
        )
    except SmsSendError as err:
        return _dial_failed(call, err)
    now = timezone.now()
    if not _finish(
        call_id,
        state=State.PLACED,
        provider_sid=placed.provider_sid,
        provider_status=placed.status,
        placed_at=now,
    ):
        # A status callback got here first and moved the row on: keep its state, add the sid.
        OutboundCall.objects.filter(pk=call_id, provider_sid__isnull=True).update(
            provider_sid=placed.provider_sid, placed_at=now
        )
    return State.PLACED


def retry_or_give_up(call: OutboundCall, *, now: datetime, gave_up: str, from_states, **detail) -> str:
    """The call did not happen: back to ``retry`` after a back-off while attempts remain, else
    ``gave_up``. Only from ``from_states`` (a replayed report finds the row moved on: no change)."""
    if call.attempts >= MAX_ATTEMPTS:
        OutboundCall.objects.filter(pk=call.pk, state__in=from_states).update(
            state=gave_up, final_at=now, **detail
        )
        return gave_up
    delay = RETRY_DELAYS[min(call.attempts, len(RETRY_DELAYS)) - 1]
    when = max(call_time(now=now + delay, urgent=call.urgent), now + delay)
    # The sid goes with the attempt: a late report about it then matches no live row.
    OutboundCall.objects.filter(pk=call.pk, state__in=from_states).update(
        state=State.RETRY, send_after=when, provider_sid=None, **detail
    )
    return State.RETRY


def _dial_failed(call: OutboundCall, err: SmsSendError) -> str:
    now = timezone.now()
    detail = {"error_code": err.code[:30], "error_message": str(err)[:500]}
    if err.maybe_sent:
        _finish(call.pk, state=State.UNKNOWN, **detail)
        log.warning("call %s: fate unknown (%s); reconciliation will ask Twilio", call.pk, err)
        return State.UNKNOWN
    if err.permanent or err.opted_out:
        _finish(call.pk, state=State.FAILED, final_at=now, **detail)
        return State.FAILED
    if err.slow_down:
        rate_penalise(seconds=SLOW_DOWN.total_seconds())
        _finish(call.pk, state=State.RETRY, send_after=now + SLOW_DOWN, attempts=F("attempts") - 1, **detail)
        return State.RETRY
    return retry_or_give_up(call, now=now, gave_up=State.FAILED, from_states=[State.DIALLING], **detail)


def calls_take_back(*, dedupe_keys: list[str], reason: str) -> set[str]:
    """Take back the calls of ``dedupe_keys`` not yet handed to Twilio (queued or waiting to retry
    become cancelled; a call being dialled or placed is left alone: its script says what is current
    when it is answered). Returns the keys whose call never reached a person: taken back now, or
    cancelled, failed, never answered or answered by a machine before. One query when none exist."""
    rows = list(
        OutboundCall.objects.filter(dedupe_key__in=dedupe_keys).values_list(
            "pk", "dedupe_key", "state", "answered_by"
        )
    )
    ready = [pk for pk, _, state, _ in rows if state in OutboundCall.READY_STATES]
    if ready:
        OutboundCall.objects.filter(pk__in=ready, state__in=OutboundCall.READY_STATES).update(
            state=State.CANCELLED, error_code=WITHDRAWN, error_message=reason[:500], final_at=timezone.now()
        )
        rows = list(
            OutboundCall.objects.filter(pk__in=[r[0] for r in rows]).values_list(
                "pk", "dedupe_key", "state", "answered_by"
            )
        )
    never = (State.CANCELLED, State.FAILED, State.UNANSWERED)
    return {
        key
        for _, key, state, answered_by in rows
        if state in never or (state == State.COMPLETED and answered_by.startswith("machine"))
    }


def calls_hold(*, dedupe_key_prefix: str, reason: str) -> int:
    """Hold back the calls under ``dedupe_key_prefix`` not yet handed to Twilio (a paused
    campaign): cancelled as "held", so that ``calls_restore`` can put the same rows back (nothing
    is ever dialled twice). Returns how many were held."""
    return OutboundCall.objects.filter(
        dedupe_key__startswith=dedupe_key_prefix, state__in=OutboundCall.READY_STATES
    ).update(state=State.CANCELLED, error_code=HELD, error_message=reason[:500], final_at=timezone.now())


def calls_restore(*, dedupe_key_prefix: str) -> int:
    """Put back the calls ``calls_hold`` held (and any its script turned away while it was held,
    caught between their claim and their dial): queued again, not before quiet hours end (only
    campaign calls are held). The sweep dials them. Returns how many came back."""
    return OutboundCall.objects.filter(
        dedupe_key__startswith=dedupe_key_prefix,
        state=State.CANCELLED,
        error_code__in=(HELD, "not_wanted"),
        provider_sid__isnull=True,
    ).update(
        state=State.QUEUED,
        error_code="",
        error_message="",
        final_at=None,
        send_after=call_time(now=timezone.now(), urgent=False),
    )


def calls_dial_due(*, limit: int = 50) -> int:
    """Dial the calls whose time has come (retries after their back-off, calls held by quiet
    hours, kicks lost on a crash). Returns how many were dialled or cancelled."""
    due = list(
        OutboundCall.objects.filter(state__in=OutboundCall.READY_STATES, send_after__lte=timezone.now())
        .order_by("-urgent", "send_after", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if call_dial(call_id=pk))
