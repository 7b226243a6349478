"""What Twilio tells us about a call (status callbacks, the answer, the keys), applied to its row.

A report is applied only to the attempt it is about (the row's CallSid, or a row still being dialled
whose create answer has not come back yet) and only forward: a callback replayed, or arriving after
a later one, changes nothing.
"""

from __future__ import annotations

import logging

from django.db.models import Q
from django.utils import timezone

from voice.calling import retry_or_give_up
from voice.models import OutboundCall

log = logging.getLogger(__name__)
State = OutboundCall.State
# The states a live attempt can be in; the report of a call that did not happen moves it on.
LIVE = (State.DIALLING, State.PLACED, State.IN_PROGRESS, State.UNKNOWN)
NOT_HAPPENED = {"busy", "no-answer", "failed"}


def _attempt(*, call_id: int | None, call_sid: str) -> OutboundCall | None:
    """The row this report is about, when the report is about its current attempt."""
    if call_id is None:
        return OutboundCall.objects.filter(provider_sid=call_sid).first() if call_sid else None
    return (
        OutboundCall.objects.filter(pk=call_id)
        .filter(
            Q(provider_sid=call_sid) | Q(provider_sid__isnull=True, state__in=(State.DIALLING, State.UNKNOWN))
        )
        .first()
    )


def call_status_apply(
    *, call_id: int | None, call_sid: str, status: str, answered_by: str = "", duration: str = ""
) -> OutboundCall | None:
    """Apply one status callback. Returns the row (as now stored), or None when the report is not
    about a current attempt of ours (logged, nothing changed)."""
    status = (status or "").strip().lower()[:20]
    call = _attempt(call_id=call_id, call_sid=call_sid)
    if call is None:
        log.info("call status %s for %s/%s: not a current attempt", status, call_id, call_sid)
        return None
    now = timezone.now()
    sid = {"provider_sid": call_sid} if call_sid and not call.provider_sid else {}
    live = OutboundCall.objects.filter(pk=call.pk, state__in=LIVE)
    if status in NOT_HAPPENED:
        gave_up = State.FAILED if status == "failed" else State.UNANSWERED
        retry_or_give_up(call, now=now, gave_up=gave_up, from_states=LIVE, provider_status=status)
    elif status == "completed":
        seconds = int(duration) if duration.isdigit() else None
        live.update(
            state=State.COMPLETED, provider_status=status, duration_seconds=seconds, final_at=now, **sid
        )
    elif status == "canceled":
        live.update(state=State.CANCELLED, provider_status=status, final_at=now, **sid)
    elif status in ("in-progress", "answered"):
        live.exclude(state=State.IN_PROGRESS).update(
            state=State.IN_PROGRESS, provider_status=status, **_answer(answered_by), **sid
        )
    else:  # queued, initiated, ringing: Twilio has it
        live.filter(state=State.UNKNOWN).update(state=State.PLACED, **sid)
        live.update(provider_status=status, **sid)
    call.refresh_from_db()
    return call


def _answer(answered_by: str) -> dict:
    return {"answered_by": answered_by[:30]} if answered_by else {}


def call_answered(*, call_id: int, call_sid: str, answered_by: str) -> OutboundCall | None:
    """Twilio fetched the call's TwiML: someone (or a machine) answered. Returns the row, or None
    when this is not a current attempt of a call we are making."""
    call = _attempt(call_id=call_id, call_sid=call_sid)
    if call is None or call.state not in (*LIVE, State.COMPLETED):
        return None
    changes = {"provider_sid": call_sid} if call_sid and not call.provider_sid else {}
    changes.update(_answer(answered_by))
    if call.state != State.COMPLETED:
        changes["state"] = State.IN_PROGRESS
    OutboundCall.objects.filter(pk=call.pk).update(**changes)
    call.refresh_from_db()
    return call


def call_key_record(*, call: OutboundCall, digits: str, outcome: str) -> None:
    """Remember a key pressed (and what it did) on the call's row, for the coordinators' record."""
    changes: dict = {"keys": (call.keys + digits)[-40:]}
    if outcome:
        changes["outcome"] = outcome[:40]
    OutboundCall.objects.filter(pk=call.pk).update(**changes)
    call.keys, call.outcome = changes["keys"], changes.get("outcome", call.outcome)
