"""Saying things on a call: TwiML built with the official ``VoiceResponse``, in the caller's
language (``<Say language=...>``), menus of one key, and details said slowly. No sentences here:
each app keeps its own in its ``voice_script.py``; voice's are in ``voice/voice_script.py``."""

from __future__ import annotations

from twilio.twiml.voice_response import Gather, VoiceResponse

from core.languages import language_get

MENU_TIMEOUT_SECONDS = 8


def say_language(code: str) -> str:
    return language_get(code).speech


def say(node: VoiceResponse | Gather, text: str, *, language: str) -> None:
    node.say(text, language=say_language(language))


def menu(response: VoiceResponse, *, action: str, sentences: list[str], language: str) -> Gather:
    """A <Gather> of one key posting to ``action``, saying ``sentences`` while it waits."""
    gather = response.gather(action=action, method="POST", num_digits=1, timeout=MENU_TIMEOUT_SECONDS)
    for sentence in sentences:
        say(gather, sentence, language=language)
    return gather


def slowly(response: VoiceResponse, sentences: list[str], *, language: str, pause: int = 1) -> None:
    """Each sentence on its own, with a pause after it: details a person may be writing down."""
    for sentence in sentences:
        say(response, sentence, language=language)
        response.pause(length=pause)


def digits_spoken(number: str) -> str:
    """``+447700900123`` -> "0 7 7 0 0, 9 0 0 1 2 3": a UK number as it is written, digit by
    digit, so that a text-to-speech voice does not read "seven billion..."."""
    digits = number[1:] if number.startswith("+") else number
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    head, tail = digits[:5], digits[5:]
    return ", ".join(" ".join(part) for part in (head, tail) if part)


def letters_spoken(text: str) -> str:
    """A postcode letter by letter ("B23 6SN" -> "B 2 3, 6 S N")."""
    return ", ".join(" ".join(part) for part in text.split())


def keys_menu(response: VoiceResponse, *, action: str, sentences: list[str], language: str) -> None:
    """A script's menu of one key, with voice's own last line (9 opts out of everything), and
    what is said when no key comes."""
    from voice import voice_script

    menu(response, action=action, sentences=[*sentences, voice_script.opt_out_key()], language=language)
    say(response, voice_script.no_key_heard(), language=language)
    response.hangup()


def goodbye_with(sentences: list[str], *, language: str) -> VoiceResponse:
    """``sentences``, then the call ends."""
    response = VoiceResponse()
    for sentence in sentences:
        say(response, sentence, language=language)
    response.hangup()
    return response
