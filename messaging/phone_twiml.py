"""What the requests line says and does, as TwiML (Twilio's call instructions), built with the
official ``twilio.twiml.voice_response.VoiceResponse``. No database here: the views in
messaging/phone_line.py store what happened and ask this module what to answer.

The call: who they have reached, "if anyone is in danger call 999", then a menu. 1: leave a
message (name, need, postcode), then say the postcode so that the right organisation gets it.
2 (only when PHONE_LINE_DUTY_NUMBER is set): the duty coordinator during PHONE_LINE_DUTY_HOURS,
forwarded with <Dial>; out of hours, or unanswered, a message instead. 3 (only when we have texted
the caller's number in the last two weeks): their texts read out, for people who cannot read them. No key, or a key not on
the menu: the menu once more, then a message.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import translation
from twilio.twiml.voice_response import VoiceResponse

from core.languages import language_get
from messaging import phone_words as words
from messaging.selectors import TextsToHear
from messaging.timing import quiet_hours_end

INBOUND_PATH = "/voice/twilio/inbound/"
LINE = "/voice/twilio/line/"
MENU_PATH = LINE + "menu/"
RECORDED_PATH = LINE + "recorded/"
POSTCODE_PATH = LINE + "postcode/"
DIALLED_PATH = LINE + "dialled/"
RECORDING_PATH = LINE + "recording/"
ENDED_PATH = LINE + "ended/"

MENU_KEY_WAIT = 6  # seconds to press a key
DUTY_RING_SECONDS = 25  # the duty phone rings this long before a message is taken instead
MESSAGE_SECONDS = 120  # the longest message a caller can leave
MENU_TRIES = 2  # the menu is said at most twice, then a message is taken
HELP_KEY, DUTY_KEY, TEXTS_KEY = "1", "2", "3"


def _say(response, text: str) -> None:
    """Said in the active language (a known caller's own; British English otherwise)."""
    language = language_get(translation.get_language() or "en")
    if language.code == "en":
        response.say(text, voice=words.VOICE, language=words.SPEECH_LANGUAGE)
    else:
        response.say(text, language=language.speech)


def duty_available() -> bool:
    """Whether there is a duty line at all (the menu offers key 2 only then)."""
    return bool(settings.PHONE_LINE_DUTY_NUMBER)


def duty_open(now: datetime) -> bool:
    """Whether ``now`` is within the duty hours (Europe/London; a span may cross midnight)."""
    hours = settings.PHONE_LINE_DUTY_HOURS
    return duty_available() and (hours is None or quiet_hours_end(now, hours) is not None)


def _menu(response, *, attempt: int, texts: bool) -> None:
    gather = response.gather(
        num_digits=1,
        action=f"{MENU_PATH}?try={attempt}",
        method="POST",
        timeout=MENU_KEY_WAIT,
        action_on_empty_result=True,
    )
    _say(gather, words.menu(duty=duty_available(), texts=texts))
    # Twilio goes on past <Gather> when no key came: the same place, with no Digits.
    response.redirect(f"{MENU_PATH}?try={attempt}", method="POST")


def twiml_answer(*, texts: bool) -> str:
    """The first thing a caller hears; ``texts``: key 3 reads them the texts we sent them."""
    response = VoiceResponse()
    _say(response, words.greeting(name=settings.SMS_SENDER_NAME))
    _say(response, words.danger())
    _menu(response, attempt=1, texts=texts)
    return str(response)


def twiml_menu_again(*, attempt: int, unknown_key: bool, texts: bool) -> str:
    response = VoiceResponse()
    _say(response, words.not_on_menu() if unknown_key else words.menu_again())
    _menu(response, attempt=attempt, texts=texts)
    return str(response)


def twiml_texts(found: TextsToHear, *, attempt: int) -> str:
    """Key 3: the caller's own latest texts read out, slowly, each in the voice of the language it
    was written in ("every text gives a number to call for people who cannot read it"), then the
    menu again so that they can hear them once more or ask for help."""
    response = VoiceResponse()
    if found.bodies:
        _say(response, words.texts_intro())
        for body in found.bodies:
            response.pause(length=1)
            response.say(body, language=language_get(found.language).speech)
    if found.held_back:
        _say(response, words.texts_held_back())
    if not found.bodies and not found.held_back:
        _say(response, words.texts_none())
    _menu(response, attempt=attempt, texts=bool(found.bodies))
    return str(response)


def _record(response, *, hidden_number: bool) -> None:
    _say(response, words.record_prompt(hidden_number=hidden_number))
    response.record(
        action=RECORDED_PATH,
        method="POST",
        max_length=MESSAGE_SECONDS,
        timeout=10,
        finish_on_key="#",
        play_beep=True,
        recording_status_callback=RECORDING_PATH,
        recording_status_callback_method="POST",
        recording_status_callback_event="completed",
    )
    # Twilio goes on past <Record> only when it heard nothing.
    _say(response, words.nothing_heard())
    response.hangup()


def twiml_message(*, hidden_number: bool, before: str = "") -> str:
    """Take a message; ``before``: a sentence saying why (the duty line is closed, say)."""
    response = VoiceResponse()
    if before:
        _say(response, before)
    _record(response, hidden_number=hidden_number)
    return str(response)


def twiml_duty_closed(*, hidden_number: bool) -> str:
    hours = settings.PHONE_LINE_DUTY_HOURS
    before = words.duty_closed(start=hours[0], end=hours[1]) if hours else ""
    return twiml_message(hidden_number=hidden_number, before=f"{before} {words.leave_a_message()}".strip())


def twiml_dial() -> str:
    response = VoiceResponse()
    _say(response, words.duty_connecting())
    response.dial(
        settings.PHONE_LINE_DUTY_NUMBER,
        action=DIALLED_PATH,
        method="POST",
        timeout=DUTY_RING_SECONDS,
    )
    return str(response)


def twiml_after_dial(*, answered: bool, hidden_number: bool) -> str:
    if answered:
        response = VoiceResponse()
        _say(response, words.goodbye_after_duty())
        response.hangup()
        return str(response)
    return twiml_message(
        hidden_number=hidden_number, before=f"{words.duty_no_answer()} {words.leave_a_message()}"
    )


def twiml_postcode() -> str:
    """After the message: the postcode, said (or # to skip)."""
    response = VoiceResponse()
    gather = response.gather(
        input="speech dtmf",
        action=POSTCODE_PATH,
        method="POST",
        timeout=6,
        speech_timeout="auto",
        finish_on_key="#",
        language=words.SPEECH_LANGUAGE,
        hints="postcode, B, CV, DY, WS, WV",
        action_on_empty_result=True,
    )
    _say(gather, words.postcode_prompt())
    response.redirect(POSTCODE_PATH, method="POST")
    return str(response)


def twiml_goodbye(*, call_back: bool) -> str:
    response = VoiceResponse()
    _say(response, words.goodbye(call_back=call_back))
    response.hangup()
    return str(response)
