"""An answered call, turn by turn: the opening (or the answering machine's message) and each key.
voice owns what every call shares (the machine, key 9, a call no longer wanted); the script
registered by the app that placed the call owns the rest (voice.registry)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from messaging.models import OptOut
from messaging.services import optout_record
from messaging.webhooks import webhook_url
from voice import voice_script
from voice.call_status import call_answered, call_key_record
from voice.models import OutboundCall
from voice.registry import CallTurn, script_get
from voice.speech import digits_spoken, goodbye_with

OPT_OUT_KEY = "9"


def _turn(call: OutboundCall) -> CallTurn:
    return CallTurn(
        call=call, keys_url=webhook_url(f"/voice/twilio/call/{call.pk}/keys/"), language=call.language or "en"
    )


def _gone(language: str = "en") -> str:
    with translation.override(language):
        return str(goodbye_with([voice_script.no_longer_needed()], language=language))


def call_opening_answer(*, call_id: int, call_sid: str, answered_by: str) -> str:
    """The TwiML for a call just answered: the machine's short message, or the script's opening."""
    call = call_answered(call_id=call_id, call_sid=call_sid, answered_by=answered_by)
    script = script_get(call.script) if call is not None else None
    if call is None or script is None:
        return _gone()
    language = call.language or "en"
    with translation.override(language):
        if call.by_machine:
            call_key_record(call=call, digits="", outcome="answering machine")
            number = digits_spoken(settings.VOICE_CALLBACK_NUMBER) if settings.VOICE_CALLBACK_NUMBER else ""
            text = voice_script.machine_message(sender=settings.SMS_SENDER_NAME, number=number)
            return str(goodbye_with([text], language=language))
        return str(script.opening(_turn(call)))


def call_keys_answer(*, call_id: int, call_sid: str, digits: str) -> str:
    """The TwiML answering a key pressed on a call of ours; nothing happens on an answering
    machine's call or on a call that is not the current attempt."""
    call = OutboundCall.objects.filter(pk=call_id, provider_sid=call_sid).first() if call_sid else None
    script = script_get(call.script) if call is not None else None
    if call is None or script is None or call.by_machine:
        return _gone(call.language if call is not None else "en")
    digits = (digits or "")[:1]
    language = call.language or "en"
    with translation.override(language):
        if digits == OPT_OUT_KEY:
            optout_record(phone=call.to, source=OptOut.Source.CALL, keyword="key 9")
            call_key_record(call=call, digits=digits, outcome="opted_out")
            return str(goodbye_with([voice_script.opted_out()], language=language))
        response, outcome = script.keys(_turn(call), digits)
        call_key_record(call=call, digits=digits, outcome=outcome)
        return str(response)
