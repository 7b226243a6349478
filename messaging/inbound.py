"""Texts people send us: store first (once per MessageSid), answer Twilio at once, handle in a task.

The webhook and the phone simulator both come in through ``inbound_receive``; the handling, in
``inbound_handle``, runs once per stored message however often Twilio retries the webhook, and
every reply is queued with a dedupe key made from the MessageSid, so a retry never replies twice.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from messaging import grammar
from messaging.models import InboundMessage, OptOut, OutboundMessage
from messaging.registry import InboundContext, SmsCommand, handler_for
from messaging.services import _enqueue, message_queue, optout_record, optout_remove
from volunteers.models import Volunteer
from volunteers.phones import InvalidPhone, phone_normalise

log = logging.getLogger(__name__)
Outcome = InboundMessage.Outcome

HELP_TEXT = (
    "Reply YES REF to take a task, NO REF to turn it down, DONE REF when it is done. "
    "READY or NOT NOW to answer a call-out. PAUSE to stop offers, AVAILABLE to resume. "
    "STOP to opt out of all texts."
)
NOT_UNDERSTOOD_TEXT = (
    "Sorry, we did not understand that. A coordinator will read your message. Reply HELP for the commands."
)
ERROR_TEXT = "Sorry, something went wrong with that. A coordinator will read your message."


def inbound_receive(
    *, message_sid: str, from_number: str, to_number: str = "", body: str = "", opt_out_type: str = ""
) -> tuple[InboundMessage, bool]:
    """Store a received text once per ``message_sid`` and enqueue its handling after commit.

    Returns (message, created). A retried webhook finds the stored row and does nothing more.
    """
    try:
        phone = phone_normalise(from_number)
    except InvalidPhone:
        phone = from_number.strip()[:32]
    existing = InboundMessage.objects.filter(message_sid=message_sid).first()
    if existing is not None:
        return existing, False
    volunteer = Volunteer.objects.filter(phone=phone).only("id").first()
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                message_sid=message_sid[:64],
                from_number=phone,
                to_number=to_number[:32],
                body=body,
                volunteer=volunteer,
                # Kept so the handler knows Twilio itself already answered a STOP/START/HELP.
                outcome_detail=f"OptOutType={opt_out_type}" if opt_out_type else "",
            )
    except IntegrityError:
        # The same webhook, retried while the first was still being stored.
        return InboundMessage.objects.get(message_sid=message_sid), False
    transaction.on_commit(partial(_enqueue, "messaging.tasks.inbound_handle", message.pk))
    return message, True


def _reply(message: InboundMessage, text: str | None) -> None:
    if not text:
        return
    message_queue(
        to=message.from_number,
        body=text,
        dedupe_key=f"reply:{message.message_sid}",
        purpose="reply",
        priority=OutboundMessage.Priority.URGENT,
        volunteer=message.volunteer,
        urgent=True,  # they have just texted us: an answer now is expected, even at night
    )


def inbound_handle(*, inbound_id: int) -> str:
    """Act on one stored text, once. Returns the outcome."""
    with transaction.atomic():
        # The claim: only the first run finds it unhandled (a task may run twice).
        if not InboundMessage.objects.filter(pk=inbound_id, handled_at__isnull=True).update(
            handled_at=timezone.now()
        ):
            return ""
        message = InboundMessage.objects.select_related("volunteer").get(pk=inbound_id)
        twilio_keyword = (
            message.outcome_detail.removeprefix("OptOutType=").upper() if message.outcome_detail else ""
        )
        parsed = grammar.sms_parse(message.body)
        # Twilio re-subscribes on YES too (OptOutType=START); this service opts back in only on
        # START/UNSTOP, so only Twilio's STOP overrides our reading of the text.
        if twilio_keyword == "STOP":
            parsed = grammar.ParsedSms(grammar.STOP, "", message.body)
        command = SmsCommand(name=parsed.name, argument=parsed.argument, raw=message.body)
        message.command = parsed.name[:20]
        message.argument = parsed.argument[:40]
        try:
            with transaction.atomic():
                outcome, reply = _dispatch(message, command, twilio_answered=bool(twilio_keyword))
        except Exception:
            log.exception("handling inbound %s failed", message.pk)
            outcome, reply = Outcome.ERROR, ERROR_TEXT
        message.outcome = outcome
        message.needs_attention = outcome in (Outcome.NOT_UNDERSTOOD, Outcome.ERROR)
        message.outcome_detail = ""
        message.save(update_fields=["command", "argument", "outcome", "needs_attention", "outcome_detail"])
        if message.volunteer_id:
            Volunteer.objects.filter(pk=message.volunteer_id).update(last_active_at=timezone.now())
        _reply(message, reply)
    return outcome


def _dispatch(
    message: InboundMessage, command: SmsCommand, *, twilio_answered: bool
) -> tuple[str, str | None]:
    phone, volunteer = message.from_number, message.volunteer
    name = command.name
    if name == grammar.STOP:
        optout_record(
            phone=phone, source=OptOut.Source.SMS, keyword=(message.body.strip().split() or [""])[0]
        )
        return Outcome.HANDLED, None  # Twilio answers STOP itself; a second text would be noise
    if name == grammar.START:
        optout_remove(phone=phone)
        if twilio_answered:
            return Outcome.HANDLED, None
        return Outcome.HANDLED, "You will get texts from us again. Reply STOP to opt out, HELP for help."
    if name == grammar.HELP:
        return Outcome.HANDLED, HELP_TEXT
    if name in (grammar.PAUSE, grammar.AVAILABLE):
        if volunteer is None:
            return (
                Outcome.NOT_UNDERSTOOD,
                "This number is not registered as a volunteer. " + NOT_UNDERSTOOD_TEXT,
            )
        if name == grammar.PAUSE:
            Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.PAUSED)
            return (
                Outcome.HANDLED,
                "Paused: we will not offer you tasks. Reply AVAILABLE when you can help again.",
            )
        Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.ACTIVE)
        return Outcome.HANDLED, "Thank you: you will get offers again. Reply PAUSE to stop them."
    handler = handler_for(name) if name != grammar.NOT_UNDERSTOOD else None
    if handler is None:
        return Outcome.NOT_UNDERSTOOD, NOT_UNDERSTOOD_TEXT
    reply = handler(InboundContext(message=message, phone=phone, volunteer=volunteer, command=command))
    return Outcome.HANDLED, reply
