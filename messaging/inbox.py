"""Writes for the inbox: which organisations a text for a person goes to, answers, and the audit
of every read.

A text that needs a person (not understood, a cry for help, a sender we cannot text back, a text
that could not be handled) is copied to the inbox of each organisation that knows its sender:
those running a group the sender belongs to (as a volunteer or as its contact), those whose need
they asked for or are helping with (needs tells us, through ``sender_knower_register``), and those
with something open for them (an offer, a campaign call). A text from a number nobody knows goes
to the regional desk, which only an infrastructure body's staff read (messaging/permissions.py).
Each organisation deals with its own copy; the others' stay waiting until they do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from core.i18n import text_language, with_call_line
from messaging.models import InboundCall, InboundMessage, InboxEntry
from messaging.registry import OpenQuestion, organisations_knowing
from messaging.request_words import TextRequest, postcode_in
from messaging.selectors import inbox_entry_for
from messaging.services import message_queue
from messaging.text_requests import text_request_areas
from volunteers.models import Membership
from volunteers.phones import phone_display
from volunteers.services import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

    from messaging.selectors import InboxSection

NOT_A_PHONE = "The sender is not a phone number we can text back."
NOBODY_KNOWS = "Nobody on the register knows this number."
IN_NO_GROUP = "A volunteer on the register who is in no organisation's group."
COULD_NOT_HANDLE = "It could not be handled automatically."
HIDDEN_CALLER = "The caller's number was withheld: listen to the message for a number to call back."


@dataclass
class _Copy:
    reasons: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)


def _membership_reasons(phone: str) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    memberships = Membership.objects.filter(volunteer__phone=phone, group__organisation__isnull=False)
    for m in memberships.select_related("group").order_by("group__name"):
        if m.role in (Membership.Role.ORGANISER, Membership.Role.DEPUTY):
            why = f"The {m.get_role_display().lower()} of your group {m.group.name}."
        else:
            why = f"A volunteer in your group {m.group.name}."
        if m.group.organisation_id is not None:  # filtered above; said again for the type checker
            found.setdefault(m.group.organisation_id, []).append(why)
    return found


def inbox_recipients(
    *, message: InboundMessage, questions: Sequence[OpenQuestion] = (), request: TextRequest | None = None
) -> dict[int | None, _Copy]:
    """{organisation_id (None: the regional desk): why it gets the text and what it had open}.
    ``request``: the text reads like a request for help, so the organisations covering its
    postcode get it too (messaging/text_requests.py)."""
    if not message.sender_can_receive:
        return {None: _Copy(reasons=[NOT_A_PHONE])}
    copies: dict[int | None, _Copy] = {}
    for organisation_id, reasons in _membership_reasons(message.from_number).items():
        copies.setdefault(organisation_id, _Copy()).reasons.extend(reasons)
    for organisation_id, reasons in organisations_knowing(phone=message.from_number).items():
        copies.setdefault(organisation_id, _Copy()).reasons.extend(reasons)
    for question in questions:
        if question.organisation_id is not None:
            copies.setdefault(question.organisation_id, _Copy()).context.append(question.label)
    desk_reasons = [IN_NO_GROUP if message.volunteer_id else NOBODY_KNOWS]
    if request is not None:
        areas, desk_reason = text_request_areas(request=request)
        desk_reasons.append(desk_reason)
        for organisation_id, why in areas.items():
            copies.setdefault(organisation_id, _Copy()).reasons.append(why)
    if copies:
        return copies
    desk = _Copy(reasons=desk_reasons)
    desk.context = [q.label for q in questions]
    return {None: desk}


def inbox_route(
    *,
    message: InboundMessage,
    questions: Sequence[OpenQuestion] = (),
    failed: bool = False,
    request: TextRequest | None = None,
) -> list[InboxEntry]:
    """Put ``message`` in front of a person: one copy for each organisation that knows its sender
    (and, for a ``request``, each covering the postcode in it), or one on the regional desk.
    ``failed``: it could not be handled (the error itself stays in the message's
    ``outcome_detail``, which erasure blanks). Safe to call twice (one copy per organisation).
    Call inside the transaction that records its outcome."""
    copies = inbox_recipients(message=message, questions=questions, request=request)
    entries = []
    for organisation_id, copy in copies.items():
        reasons = copy.reasons + ([COULD_NOT_HANDLE] if failed else [])
        lookup: dict[str, Any] = {"message": message, "organisation_id": organisation_id}
        defaults = {"reasons": reasons, "context": copy.context, "possible_request": request is not None}
        entry, created = InboxEntry.objects.get_or_create(**lookup, defaults=defaults)
        if created:
            _received_record(entry)
        entries.append(entry)
    return entries


def _received_record(entry: InboxEntry) -> None:
    """An audit line for each copy that arrives (the staff alerts listen for it)."""
    audit_record(
        actor=None,
        action="inbox.received",
        target=entry,
        organisation=entry.organisation,
        detail={"call_id": entry.call_id} if entry.is_call else {"message_id": entry.message_id},
    )


def inbox_route_call(*, call: InboundCall) -> list[InboxEntry]:
    """Put a call to the requests line in front of a person, as a possible request: one copy for
    each organisation that knows the caller's number (as for a text) and each covering the
    postcode they said, or one on the regional desk. Safe to call twice (one copy per
    organisation). Call inside a transaction."""
    copies: dict[int | None, _Copy] = {}
    if call.caller_known:
        for organisation_id, reasons in _membership_reasons(call.from_number).items():
            copies.setdefault(organisation_id, _Copy()).reasons.extend(reasons)
        for organisation_id, reasons in organisations_knowing(phone=call.from_number).items():
            copies.setdefault(organisation_id, _Copy()).reasons.extend(reasons)
    areas, desk_reason = text_request_areas(request=TextRequest(postcode=call.postcode), by_call=True)
    for organisation_id, why in areas.items():
        copies.setdefault(organisation_id, _Copy()).reasons.append(why)
    if not copies:
        copies = {None: _Copy(reasons=[NOBODY_KNOWS if call.caller_known else HIDDEN_CALLER, desk_reason])}
    entries = []
    for kept_for, copy in copies.items():
        lookup: dict[str, Any] = {"call": call, "organisation_id": kept_for}
        entry, created = InboxEntry.objects.get_or_create(
            **lookup, defaults={"reasons": copy.reasons, "possible_request": True}
        )
        if created:
            _received_record(entry)
        entries.append(entry)
    return entries


def inbox_route_to_desk(*, message: InboundMessage) -> InboxEntry:
    """The last resort when even working out who knows the sender failed: the regional desk."""
    entry, created = InboxEntry.objects.get_or_create(
        message=message, organisation=None, defaults={"reasons": [COULD_NOT_HANDLE]}
    )
    if created:
        _received_record(entry)
    return entry


class InboxAnswer(StrEnum):
    """What became of an answer to a text in the inbox."""

    TAKEN = "taken"  # someone else had dealt with it first: nothing was done
    RESOLVED = "resolved"  # marked dealt with; no reply was asked for
    SENT = "sent"  # the reply was queued and the text marked dealt with
    OPTED_OUT = "opted_out"  # marked dealt with, but no reply: the number has opted out
    CANNOT_RECEIVE = "cannot_receive"  # marked dealt with, but no reply: not a number to text


def _with_call_line_for(message: InboundMessage, body: str) -> str:
    """A coordinator's answer, with the phone line's sentence in the sender's language (a
    volunteer's chosen one; English for anyone else)."""
    volunteer = message.volunteer if message.volunteer_id else None
    with translation.override(text_language(volunteer.preferred_language if volunteer else None)):
        return with_call_line(body)


def inbox_reply(*, entry_id: int, user: User, body: str | None) -> InboxAnswer:
    """Mark one inbox entry dealt with by ``user`` and, unless ``body`` is None, reply to the
    sender (through ``message_queue``, once per entry, saying which organisation writes). Claimed
    first: only the first person to answer acts; a second click or a colleague gets TAKEN. Audited
    either way. The caller has checked that ``user`` may answer this entry."""
    with transaction.atomic():
        claimed = InboxEntry.objects.filter(pk=entry_id, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=user
        )
        if not claimed:
            return InboxAnswer.TAKEN
        entry = InboxEntry.objects.select_related(
            "message", "message__volunteer", "call", "organisation"
        ).get(pk=entry_id)
        if entry.message is None:  # a call: the coordinator calls back; nothing is texted
            _call_resolve_record(entry=entry, user=user)
            return InboxAnswer.RESOLVED
        message = entry.message
        queued = None
        if body is not None and message.sender_can_receive:
            queued = message_queue(
                to=message.from_number,
                body=_with_call_line_for(message, body.strip()),
                dedupe_key=f"inbox-reply:{entry.pk}",
                purpose="inbox_reply",
                volunteer=message.volunteer,
                sender=entry.organisation.name if entry.organisation else settings.SMS_SENDER_NAME,
                urgent=True,  # an answer to a text they sent us: expected now, even at night
            )
            if queued is not None:
                InboxEntry.objects.filter(pk=entry.pk).update(reply=queued)
        detail: dict[str, bool] = {"sent": bool(queued)}
        if entry.is_desk:
            detail["desk"] = True
        audit_record(
            actor=user,
            action="inbox.reply" if body is not None else "inbox.resolve",
            target=message,
            organisation=entry.organisation,
            detail=detail,
        )
    if body is None:
        return InboxAnswer.RESOLVED
    if queued is not None:
        return InboxAnswer.SENT
    return InboxAnswer.OPTED_OUT if message.sender_can_receive else InboxAnswer.CANNOT_RECEIVE


def _call_resolve_record(*, entry: InboxEntry, user: User, **extra: object) -> None:
    detail: dict[str, object] = {"sent": False, **extra}
    if entry.is_desk:
        detail["desk"] = True
    audit_record(
        actor=user, action="inbox.resolve", target=entry.call, organisation=entry.organisation, detail=detail
    )


def inbox_read_record(*, user: User, sections: Iterable[InboxSection]) -> None:
    """Audit a look at the inbox: for each inbox shown, which texts and calls (by id) ``user``
    saw (a call shows its caller's whole number, to call back)."""
    for section in sections:
        shown = [e.message_id for e in section.entries if e.message_id is not None]
        detail: dict[str, object] = {"messages": shown}
        calls = [e.call_id for e in section.entries if e.call_id is not None]
        if calls:
            detail["calls"] = calls
        if section.is_desk:
            detail["desk"] = True
        audit_record(actor=user, action="inbox.read", organisation=section.organisation, detail=detail)


def inbox_recording_heard_record(*, user: User, call: InboundCall) -> None:
    """Audit a listen to a caller's message (their voice and words are personal data)."""
    entry = InboxEntry.objects.filter(call=call).select_related("organisation").first()
    audit_record(
        actor=user,
        action="inbox.recording_heard",
        target=call,
        organisation=entry.organisation if entry is not None else None,
        detail={"call_id": call.pk},
    )


@dataclass(frozen=True)
class NeedPrefill:
    """What a need started from an inbox text, or a call to the requests line, begins with."""

    entry_id: int
    organisation_id: int | None
    text: str  # the text's words; for a call, "" (its message is a recording: ``call_id``)
    requester_phone: str  # as people write it (07700 900123); "" for a sender we cannot call
    postcode: str  # the first postcode in the text, or the one the caller said; "" when none
    call_id: int | None = None
    call_recorded: bool = False  # the call left a message to listen to


def inbox_need_prefill(*, user: AbstractBaseUser | AnonymousUser, entry_id: int) -> NeedPrefill | None:
    """The phone and postcode of an inbox text or call, for "Start a need from this text"; None
    when ``user`` does not read the inbox it is in (as if it did not exist). Reading the number is
    a read of personal data: audited."""
    entry = inbox_entry_for(user=user, entry_id=entry_id)
    if entry is None:
        return None
    audit_record(
        actor=user,
        action="inbox.need_started",
        target=entry.message or entry.call,
        organisation=entry.organisation,
        detail={"entry_id": entry.pk, **({"desk": True} if entry.is_desk else {})},
    )
    if entry.call is not None:
        call = entry.call
        return NeedPrefill(
            entry_id=entry.pk,
            organisation_id=entry.organisation_id,
            text="",
            requester_phone=phone_display(call.from_number) if call.caller_known else "",
            postcode=call.postcode,
            call_id=call.pk,
            call_recorded=bool(call.recording_sid),
        )
    message = entry.message
    if message is None:  # never: an entry is a text or a call (the table's constraint)
        return None
    return NeedPrefill(
        entry_id=entry.pk,
        organisation_id=entry.organisation_id,
        text=message.body,
        requester_phone=phone_display(message.from_number) if message.sender_can_receive else "",
        postcode=postcode_in(message.body),
    )


def inbox_need_posted(*, user: AbstractBaseUser | AnonymousUser, entry_id: int, ref: str) -> str:
    """A need (``ref``) was posted from this inbox text or call: mark it dealt with by ``user``,
    with no reply (the person is called back). Only for one in an inbox ``user`` reads; claimed
    like an answer, so a colleague who dealt with it first is not overwritten. "text" or "call"
    when marked now, "" otherwise."""
    entry = inbox_entry_for(user=user, entry_id=entry_id)
    if entry is None:
        return ""
    with transaction.atomic():
        claimed = InboxEntry.objects.filter(pk=entry.pk, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=user
        )
        if claimed:
            audit_record(
                actor=user,
                action="inbox.resolve",
                target=entry.message or entry.call,
                organisation=entry.organisation,
                detail={"sent": False, "need": ref, **({"desk": True} if entry.is_desk else {})},
            )
    if not claimed:
        return ""
    return "call" if entry.is_call else "text"
