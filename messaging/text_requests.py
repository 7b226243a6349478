"""Requests for help that arrive by text from people who are not volunteers.

``request_words.request_read`` (pure) says whether a text reads like one. Such a text goes to the
inbox of each organisation that covers the local authority of the postcode in it (besides any that
know the sender), or, with no postcode we can place or nobody covering it, to the regional desk;
each copy is marked a possible request. The sender gets one kind answer a day saying a person will
call back, naming the organisation when exactly one has it: no time is promised.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone

from core.i18n import with_call_line
from messaging.models import InboundMessage, InboxEntry, OutboundMessage
from messaging.request_words import TextRequest
from messaging.services import message_queue
from volunteers.contact_state import number_hash
from volunteers.models import Organisation, Postcode

REQUEST_REPLY = (
    "Thank you for your message. A person from {who} will call you back on this number. "
    "If anyone is in danger, call 999."
)
AREA_REASON = "Possibly a request for help: the postcode {postcode} in it is in {area}, which you cover."
DESK_NO_POSTCODE = "Possibly a request for help. It has no postcode in it, so nobody's area could be told."
DESK_UNKNOWN_POSTCODE = "Possibly a request for help. Its postcode {postcode} is not one we can place."
DESK_UNCOVERED = (
    "Possibly a request for help. Its postcode {postcode} is in {area}, which no organisation covers."
)


# The same reasons for a call to the requests line (messaging/phone_calls.py), whose postcode is
# the one the caller said after their message.
CALL_REASONS = {
    AREA_REASON: "Possibly a request for help: the caller gave the postcode {postcode}, in {area}, which you cover.",
    DESK_NO_POSTCODE: "Possibly a request for help. The caller gave no postcode we could make out, so nobody's area could be told.",
    DESK_UNKNOWN_POSTCODE: "Possibly a request for help. The caller's postcode {postcode} is not one we can place.",
    DESK_UNCOVERED: "Possibly a request for help. The caller's postcode {postcode} is in {area}, which no organisation covers.",
}  # fmt: skip


def text_request_areas(*, request: TextRequest, by_call: bool = False) -> tuple[dict[int, str], str]:
    """({organisation_id: why it gets the text}, why the regional desk gets it when nobody does).

    The organisations are those covering the postcode's local authority, infrastructure bodies
    left out: they read the regional desk, which gets the text when no other organisation does.
    ``by_call``: the request came by a call to the requests line, and the reasons say so."""

    def said(template: str) -> str:
        return CALL_REASONS[template] if by_call else template

    postcode = request.postcode
    if not postcode:
        return {}, said(DESK_NO_POSTCODE)
    place = Postcode.objects.filter(postcode=postcode).select_related("local_authority").first()
    if place is None or place.local_authority is None:
        return {}, said(DESK_UNKNOWN_POSTCODE).format(postcode=postcode)
    area = place.local_authority
    covering = (
        Organisation.objects.filter(local_authorities=area)
        .exclude(kind=Organisation.Kind.INFRASTRUCTURE)
        .values_list("id", flat=True)
    )
    why = said(AREA_REASON).format(postcode=postcode, area=area.name)
    found = {organisation_id: why for organisation_id in covering}
    return found, said(DESK_UNCOVERED).format(postcode=postcode, area=area.name)


def text_request_reply(*, message: InboundMessage, entries: Sequence[InboxEntry]) -> OutboundMessage | None:
    """The kind answer, at most once per sender per day (the dedupe key holds a keyed hash of the
    number and the date, never the number). Call inside the transaction that routed the text."""
    names = sorted({e.organisation.name for e in entries if e.organisation is not None})
    who = names[0] if len(names) == 1 else settings.SMS_SENDER_NAME
    day = timezone.localdate().isoformat()
    return message_queue(
        to=message.from_number,
        body=with_call_line(REQUEST_REPLY.format(who=who)),
        dedupe_key=f"request-reply:{number_hash(message.from_number)[:40]}:{day}",
        purpose="request_reply",
        urgent=True,  # they have just texted us, maybe at night: the answer goes now
    )
