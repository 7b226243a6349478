"""Writes for calls to the requests line: one row per CallSid, what the caller chose, their
message and postcode, how the call ended, and its way into the inbox.

Twilio may send any of its requests more than once, and in any order (the recording's callback
often comes after the call's end): every write here is safe to repeat. The call is stored at the
first request Twilio makes for it, so a caller who hangs up mid-menu still leaves a row. It goes to
the inbox once (``routed_at`` is claimed first), when the caller has finished: after the postcode
question, or at the call's end when they hung up before it.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from messaging.inbox import inbox_route_call
from messaging.models import InboundCall, InboxEntry
from messaging.request_words import postcode_in
from volunteers.phones import InvalidPhone, phone_normalise
from volunteers.postcode_shapes import PostcodeError, postcode_normalise

Outcome = InboundCall.Outcome


def _number(raw: str) -> str:
    try:
        return phone_normalise(raw)
    except InvalidPhone:
        return (raw or "").strip()[:32]


def call_receive(*, call_sid: str, from_number: str = "", to_number: str = "") -> InboundCall:
    """The call's row, stored once per ``call_sid`` (a retried webhook finds it)."""
    call, _ = InboundCall.objects.get_or_create(
        call_sid=call_sid[:64],
        defaults={"from_number": _number(from_number), "to_number": (to_number or "")[:32]},
    )
    return call


def call_choice_set(*, call: InboundCall, choice: str) -> None:
    InboundCall.objects.filter(pk=call.pk).update(choice=choice)
    call.choice = choice


def call_recording_store(*, call: InboundCall, sid: str, url: str, seconds: str | int | None) -> bool:
    """Keep the message's recording, the first time Twilio tells us of it (the <Record> action
    and the recording callback both do). False when there is nothing to keep or it was kept."""
    if not sid or not url:
        return False
    with transaction.atomic():
        stored = InboundCall.objects.filter(pk=call.pk, recording_sid="").update(
            recording_sid=sid[:64],
            recording_url=url[:300],
            recording_seconds=_seconds(seconds),
            outcome=Outcome.MESSAGE,
        )
        call.refresh_from_db()
        if stored and call.routed_at is not None and not call.needs_attention:
            # The call was settled as "no message" before the recording's news came: it has one.
            InboundCall.objects.filter(pk=call.pk).update(needs_attention=True)
            call.needs_attention = True
            inbox_route_call(call=call)
    return bool(stored)


def _seconds(raw: str | int | None) -> int | None:
    try:
        return max(0, int(raw)) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


def postcode_heard(said: str) -> str:
    """The postcode in what the caller said, as speech recognition wrote it ("B23 6SN",
    "b 2 3 6 s n", "B23 6SN please"); "" when none can be read."""
    found = postcode_in(said)
    if found:
        return found
    squeezed = "".join(ch for ch in said.upper() if ch.isalnum())
    for length in (7, 6, 5):
        for start in range(max(0, len(squeezed) - length) + 1):
            try:
                return postcode_normalise(squeezed[start : start + length])
            except PostcodeError:
                continue
    return ""


def call_postcode_set(*, call: InboundCall, said: str) -> str:
    postcode = postcode_heard(said)
    if postcode:
        InboundCall.objects.filter(pk=call.pk).update(postcode=postcode)
        call.postcode = postcode
    return postcode


def call_answered_by_duty(*, call: InboundCall) -> None:
    """The duty coordinator took the call: nothing waits for anyone in the inbox."""
    InboundCall.objects.filter(pk=call.pk).update(outcome=Outcome.ANSWERED)
    call.outcome = Outcome.ANSWERED


def call_route(*, call: InboundCall) -> list[InboxEntry]:
    """Put the call in front of a person, once: the inbox of each organisation that knows the
    number or covers the postcode said, else the regional desk (messaging/inbox.py). A call the
    duty coordinator answered, or one with no message from a withheld number, goes nowhere."""
    with transaction.atomic():
        call = InboundCall.objects.select_for_update().get(pk=call.pk)
        if call.routed_at is not None:
            return []
        if call.outcome == Outcome.ON_THE_LINE:
            call.outcome = Outcome.NO_MESSAGE
        worth_a_look = call.outcome == Outcome.MESSAGE or (
            call.outcome == Outcome.NO_MESSAGE and call.caller_known
        )
        call.routed_at = timezone.now()
        call.needs_attention = worth_a_look
        call.save(update_fields=["outcome", "routed_at", "needs_attention"])
        return inbox_route_call(call=call) if worth_a_look else []


def call_end(*, call: InboundCall, status: str, duration: str | int | None) -> None:
    """Twilio's status callback: how long the call lasted; a call that has ended and was not
    routed yet (the caller hung up before the end) is routed now."""
    fields: dict[str, object] = {"call_status": (status or "")[:20]}
    seconds = _seconds(duration)
    if seconds is not None:
        fields["duration_seconds"] = seconds
    if status in ("completed", "busy", "failed", "no-answer", "canceled"):
        fields["ended_at"] = timezone.now()
    InboundCall.objects.filter(pk=call.pk).update(**fields)
    if "ended_at" in fields:
        call_route(call=call)


# No call lasts this long: one still unsettled lost its status callback (the number's "Call status
# changes" URL unset in Twilio's console, or Twilio gave up on it).
UNFINISHED_AFTER = timedelta(hours=3)


def calls_unfinished_route(*, limit: int = 200) -> int:
    """The periodic job: settle and route calls the status callback never settled. Returns how many."""
    cutoff = timezone.now() - UNFINISHED_AFTER
    calls = list(InboundCall.objects.filter(routed_at__isnull=True, received_at__lt=cutoff)[:limit])
    for call in calls:
        call_route(call=call)
    return len(calls)
