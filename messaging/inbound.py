"""Texts people send us: store first (once per MessageSid), answer Twilio at once, handle in a task.

The webhook and the phone simulator both come in through ``inbound_receive``; the handling, in
``inbound_handle``, runs once per stored message however often Twilio retries the webhook, and
every reply is queued with a dedupe key made from the MessageSid, so a retry never replies twice.
A volunteer's reply is in their own language (``translation.override`` around the handling; a
LANGUAGE text answers in the new one) and ends with the phone line's number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from core.broker import broker_shared
from core.i18n import text_language, with_call_line
from messaging import grammar
from messaging.contact_commands import contact_command_handle
from messaging.inbox import NOT_A_PHONE, inbox_route, inbox_route_to_desk
from messaging.models import InboundMessage, OptOut, OutboundMessage
from messaging.registry import InboundContext, OpenQuestion, SmsCommand, handler_for, open_questions_for
from messaging.replies import ANSWERS, Reading, reply_read
from messaging.request_words import TextRequest, request_read
from messaging.services import _enqueue, message_queue, optout_record, optout_remove
from messaging.text_requests import text_request_reply
from volunteers.models import Volunteer
from volunteers.phones import InvalidPhone, phone_normalise

log = logging.getLogger(__name__)
Outcome = InboundMessage.Outcome

HELP_TEXT = gettext_noop(
    "Reply YES REF to take a task, NO REF to turn it down, DONE REF when it is done. "
    "READY or NOT NOW to answer a call-out. PAUSE to stop offers, AVAILABLE to resume. "
    "LINK for a link to your own page. LANGUAGE POLSKI (or another) to change language. "
    "STOP to opt out of all texts."
)
NOT_UNDERSTOOD_TEXT = gettext_noop(
    "Sorry, we did not understand that. A coordinator will read your message. Reply HELP for the commands."
)
ERROR_TEXT = gettext_noop("Sorry, something went wrong with that. A coordinator will read your message.")
START_TEXT = gettext_noop("You will get texts from us again. Reply STOP to opt out, HELP for help.")


_INSERT_SQL = """
INSERT INTO {table} (message_sid, from_number, to_number, body, command, argument, outcome,
    outcome_detail, received_at, needs_attention, attempts)
VALUES (%s, %s, %s, %s, '', '', %s, %s, %s, %s, 0)
ON CONFLICT (message_sid) DO NOTHING
RETURNING id
"""


def inbound_receive(
    *, message_sid: str, from_number: str, to_number: str = "", body: str = "", opt_out_type: str = ""
) -> tuple[InboundMessage | None, bool]:
    """Store a received text once per ``message_sid`` and have it handled, in one commit.

    Returns (message, created); ``message`` is None when created (the webhook's hot path reads
    nothing back). A retried webhook finds the stored row and does nothing more. The store is one
    INSERT ... ON CONFLICT DO NOTHING: no SELECT before it (the unique MessageSid decides), and the
    volunteer is looked up by the task, not here. Enqueueing costs no extra commit: with the ORM
    broker the task row is written in the same transaction as the message; with Redis it is pushed
    once the message is committed, through a broker kept for the process.
    """
    try:
        phone = phone_normalise(from_number)
    except InvalidPhone:
        phone = from_number.strip()[:32]
    params = [
        message_sid[:64],
        phone,
        to_number[:32],
        body,
        Outcome.PENDING.value,
        # Kept so the handler knows Twilio itself already answered a STOP/START/HELP.
        f"OptOutType={opt_out_type}" if opt_out_type else "",
        connection.ops.adapt_datetimefield_value(timezone.now()),
        False,
    ]
    if connection.vendor not in ("postgresql", "sqlite"):
        return _receive_portable(message_sid, params)
    sql = _INSERT_SQL.format(table=connection.ops.quote_name(InboundMessage._meta.db_table))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            existing = InboundMessage.objects.get(message_sid=message_sid[:64])
            _enqueue_again_if_unhandled(existing)
            return existing, False
        _handle_enqueue(row[0])
    return None, True


RETRY_REQUEUE_AFTER = timedelta(seconds=5)


def _enqueue_again_if_unhandled(message: InboundMessage) -> None:
    """Twilio retries a webhook we answered with an error. If the first attempt stored the text but
    could not queue its handling (the broker was down), a retry that comes a few seconds later queues
    it again; the handler's own claim keeps it to one run however many times it is queued. An
    immediate duplicate finds its task still on the way and adds nothing."""
    if message.handled_at is None and message.received_at < timezone.now() - RETRY_REQUEUE_AFTER:
        _handle_enqueue(message.pk)


def inbound_sweep(*, older_than_seconds: int = 30, limit: int = 500) -> int:
    """Periodic: queue again the texts stored but never handled (their task was lost with a broker
    restart and Twilio did not retry). Returns how many were queued."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        InboundMessage.objects.filter(handled_at__isnull=True, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    for inbound_id in ids:
        with transaction.atomic():
            _handle_enqueue(inbound_id)
    return len(ids)


def _receive_portable(message_sid: str, params: list) -> tuple[InboundMessage | None, bool]:
    sid, phone, to_number, body, _, detail, _, _ = params
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                message_sid=sid, from_number=phone, to_number=to_number, body=body, outcome_detail=detail
            )
            _handle_enqueue(message.pk)
    except IntegrityError:
        existing = InboundMessage.objects.get(message_sid=sid)
        with transaction.atomic():
            _enqueue_again_if_unhandled(existing)
        return existing, False
    return message, True


def _handle_enqueue(inbound_id: int) -> None:
    """Call inside the transaction that stored the message."""
    if settings.SMS_TASKS_SYNC or "orm" not in settings.Q_CLUSTER:
        # Redis (or inline in tests): only after the commit, so a worker never sees a rolled-back row.
        transaction.on_commit(partial(_push, inbound_id))
    else:
        # The ORM broker's queue is a table in this database: the task commits with the message.
        _push(inbound_id)


def _push(inbound_id: int) -> None:
    if settings.SMS_TASKS_SYNC:
        _enqueue("messaging.tasks.inbound_handle", inbound_id)
        return
    from django_q.tasks import async_task

    async_task(
        "messaging.tasks.inbound_handle", inbound_id, task_name="inbound_handle", broker=broker_shared()
    )


def _language_of(message: InboundMessage) -> str:
    """The language a reply to this text goes in: the volunteer's (after a LANGUAGE text, the new
    one), English for anyone else."""
    volunteer = message.volunteer if message.volunteer_id else None
    return text_language(volunteer.preferred_language if volunteer else None)


def _reply(message: InboundMessage, text: str | None) -> None:
    if not text or not message.sender_can_receive:
        return  # a name ("VODAFONE"), a short code or no number: nothing can be texted back
    with translation.override(_language_of(message)):
        body = with_call_line(text)
    message_queue(
        to=message.from_number,
        body=body,
        dedupe_key=f"reply:{message.message_sid}",
        purpose="reply",
        priority=OutboundMessage.Priority.URGENT,
        volunteer=message.volunteer,
        urgent=True,  # they have just texted us: an answer now is expected, even at night
    )


# A text whose handling fails this many times (a bug, a database error, a crash) goes to a person
# with the error instead of being retried for ever by the sweep.
INBOUND_MAX_ATTEMPTS = 5


def inbound_handle(*, inbound_id: int) -> str:
    """Act on one stored text, once. Returns the outcome ("" when it was already handled).

    Each start is counted on the row in a commit of its own before anything else, so that a
    failure which rolls the handling back still counts: the last allowed attempt that fails, or
    any attempt after it, puts the text in the inbox with the error and marks it handled."""
    attempt = _attempt_start(inbound_id)
    if attempt is None:
        return ""
    if attempt > INBOUND_MAX_ATTEMPTS:
        return _give_up(inbound_id, error=f"its handling did not finish in {INBOUND_MAX_ATTEMPTS} attempts")
    try:
        return _handle(inbound_id)
    except Exception as exc:
        if attempt < INBOUND_MAX_ATTEMPTS:
            raise  # the sweep (or Twilio's retry) queues it again
        log.exception("handling inbound %s failed %s times: giving it to a person", inbound_id, attempt)
        return _give_up(inbound_id, error=_describe(exc))


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


def _attempt_start(inbound_id: int) -> int | None:
    """Count one more attempt; None when the text was handled already."""
    with transaction.atomic():
        if not InboundMessage.objects.filter(pk=inbound_id, handled_at__isnull=True).update(
            attempts=F("attempts") + 1
        ):
            return None
        return InboundMessage.objects.filter(pk=inbound_id).values_list("attempts", flat=True).first()


def _give_up(inbound_id: int, *, error: str) -> str:
    """Mark the text handled with an error and put it in front of a person; each step that might
    fail again is tried on its own, falling back to the regional desk."""
    with transaction.atomic():
        if not InboundMessage.objects.filter(pk=inbound_id, handled_at__isnull=True).update(
            handled_at=timezone.now(),
            outcome=Outcome.ERROR,
            needs_attention=True,
            outcome_detail=f"Not handled: {error}"[:300],
        ):
            return ""
        message = InboundMessage.objects.get(pk=inbound_id)
        try:
            with transaction.atomic():
                inbox_route(message=message, failed=True)
        except Exception:
            log.exception("routing inbound %s failed: the regional desk gets it", inbound_id)
            inbox_route_to_desk(message=message)
        try:
            with transaction.atomic(), translation.override(_language_of(message)):
                _reply(message, gettext(ERROR_TEXT))
        except Exception:
            log.exception("the reply to inbound %s could not be queued", inbound_id)
    return Outcome.ERROR


def _read(message: InboundMessage) -> tuple[Reading, tuple[OpenQuestion, ...], bool]:
    """The grammar's reading, made an answer to what is open for the sender; the open questions;
    whether Twilio itself already answered the text (STOP, START, HELP)."""
    twilio_keyword = (
        message.outcome_detail.removeprefix("OptOutType=").upper() if message.outcome_detail else ""
    )
    parsed = grammar.sms_parse(message.body)
    # Twilio re-subscribes on YES too (OptOutType=START); this service opts back in only on
    # START/UNSTOP, so only Twilio's STOP overrides our reading of the text.
    if twilio_keyword == "STOP":
        parsed = grammar.ParsedSms(grammar.STOP, "", message.body)
    questions = open_questions_for(phone=message.from_number) if parsed.name in ANSWERS else ()
    reading = reply_read(parsed, open_kinds={q.kind for q in questions})
    return reading, questions, bool(twilio_keyword)


@dataclass
class _Handled:
    outcome: str
    reply: str | None
    for_a_person: bool
    questions: tuple[OpenQuestion, ...] = ()
    error: str = ""
    request: TextRequest | None = None  # from someone not a volunteer, reading like a request for help


def _handle(inbound_id: int) -> str:
    with transaction.atomic():
        # The claim: only the first run finds it unhandled (a task may run twice).
        if not InboundMessage.objects.filter(pk=inbound_id, handled_at__isnull=True).update(
            handled_at=timezone.now()
        ):
            return ""
        message = InboundMessage.objects.select_related("volunteer").get(pk=inbound_id)
        if not message.sender_can_receive:
            done = _Handled(Outcome.NOT_UNDERSTOOD, None, for_a_person=True)
        else:
            done = _handle_from_phone(message)
        _outcome_save(message, outcome=done.outcome, for_a_person=done.for_a_person, error=done.error)
        entries = []
        if done.for_a_person:
            entries = inbox_route(
                message=message, questions=done.questions, failed=bool(done.error), request=done.request
            )
        if done.request is not None:
            text_request_reply(message=message, entries=entries)  # instead of "not understood"
        else:
            _reply(message, done.reply)
    return done.outcome


def _handle_from_phone(message: InboundMessage) -> _Handled:
    if message.volunteer_id is None:
        # Looked up here, not in the webhook, which only stores (see inbound_receive).
        message.volunteer = Volunteer.objects.filter(phone=message.from_number).first()
    reading, questions, twilio_answered = _read(message)
    command = SmsCommand(name=reading.name, argument=reading.argument, raw=message.body)
    message.command = reading.name[:20]
    message.argument = reading.argument[:40]
    error = ""
    try:
        with transaction.atomic(), translation.override(_language_of(message)):
            outcome, reply = _dispatch(message, command, twilio_answered=twilio_answered, questions=questions)
    except Exception as exc:
        log.exception("handling inbound %s failed", message.pk)
        with translation.override(_language_of(message)):
            outcome, reply, error = Outcome.ERROR, gettext(ERROR_TEXT), _describe(exc)
    for_a_person = reading.for_a_person or outcome in (Outcome.NOT_UNDERSTOOD, Outcome.ERROR)
    request = None
    if message.volunteer is None and outcome == Outcome.NOT_UNDERSTOOD:
        request = request_read(message.body)
    return _Handled(outcome, reply, for_a_person, questions, error, request)


def _outcome_save(message: InboundMessage, *, outcome: str, for_a_person: bool, error: str) -> None:
    message.outcome = outcome
    message.needs_attention = for_a_person
    if not message.sender_can_receive:
        message.outcome_detail = NOT_A_PHONE
    else:
        message.outcome_detail = f"Error: {error}"[:300] if error else ""
    message.save(
        update_fields=["command", "argument", "outcome", "needs_attention", "outcome_detail", "volunteer"]
    )
    if message.volunteer_id:
        Volunteer.objects.filter(pk=message.volunteer_id).update(last_active_at=timezone.now())


def _dispatch(
    message: InboundMessage,
    command: SmsCommand,
    *,
    twilio_answered: bool,
    questions: tuple[OpenQuestion, ...] = (),
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
        return Outcome.HANDLED, gettext(START_TEXT)
    if name == grammar.HELP:
        return Outcome.HANDLED, gettext(HELP_TEXT)
    if name in (grammar.PAUSE, grammar.AVAILABLE):
        return contact_command_handle(phone=phone, name=name)
    handler = handler_for(name) if name != grammar.NOT_UNDERSTOOD else None
    if handler is None:
        return Outcome.NOT_UNDERSTOOD, gettext(NOT_UNDERSTOOD_TEXT)
    context = InboundContext(
        message=message, phone=phone, volunteer=volunteer, command=command, open_questions=questions
    )
    reply = handler(context)
    return Outcome.HANDLED, reply
