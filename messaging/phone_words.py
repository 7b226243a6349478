"""Every sentence the requests line says to a caller, in one place, through Django's translation
framework (named placeholders, so that a translator may reorder them).

Plain words for someone who may be frightened, hard of hearing or not a native speaker: short
sentences, no codes, the keys said after what they do. Spoken in British English
(``SPEECH_LANGUAGE``); a translated line would be said with its language's voice.
"""

from __future__ import annotations

from datetime import time

from django.utils.translation import gettext as _

SPEECH_LANGUAGE = "en-GB"
VOICE = "Polly.Amy"  # Twilio's British English neural voice; Twilio falls back to its own if absent


def greeting(*, name: str) -> str:
    return _(
        "Hello. You have reached %(name)s. We put people who need help in touch with volunteers near them."
    ) % {"name": name}


def danger() -> str:
    return _("If anyone is in danger, hang up and call 999.")


def menu(*, duty: bool, texts: bool = False) -> str:
    """The keys, each said after what it does. ``duty``: there is a duty coordinator to put
    through to; ``texts``: we have texted this caller lately (key 3 reads them out)."""
    keys = [_("To ask for help, press 1.")]
    if duty:
        keys.append(_("To speak to the duty coordinator, press 2."))
    if texts:
        keys.append(texts_key())
    return " ".join([*keys, _("Or stay on the line to leave a message.")])


def texts_key() -> str:
    return _("To hear the texts we sent you, press 3.")


def texts_intro() -> str:
    return _("Here is what we have texted you lately.")


def texts_held_back() -> str:
    return _(
        "A text with the details of the person you are helping is not read out on this line, "
        "for their safety. Your coordinator can call you with them."
    )


def texts_none() -> str:
    return _("We have not sent you any texts in the last two weeks.")


def not_on_menu() -> str:
    return _("Sorry, that key is not on the menu.")


def menu_again() -> str:
    return _("Here are the choices again.")


def leave_a_message() -> str:
    return _("Please leave a message.")


def record_prompt(*, hidden_number: bool) -> str:
    words = _("After the tone, please say your name, what you need help with, and your postcode.")
    if hidden_number:
        words += " " + _("Your number is hidden, so please also say a phone number we can call you back on.")
    return words + " " + _("When you have finished, press the hash key, or hang up.")


def nothing_heard() -> str:
    return _("Sorry, we did not hear a message. Please call again when you are ready. Goodbye.")


def duty_closed(*, start: time, end: time) -> str:
    return _("The duty coordinator answers the phone from %(start)s to %(end)s.") % {
        "start": spoken_time(start),
        "end": spoken_time(end),
    }


def duty_connecting() -> str:
    return _("Putting you through to the duty coordinator. Please hold.")


def duty_no_answer() -> str:
    return _("Sorry, the duty coordinator cannot answer just now.")


def postcode_prompt() -> str:
    return _(
        "Thank you. So that we can find volunteers near you, please say your postcode now. "
        "Or press the hash key to skip."
    )


def goodbye(*, call_back: bool) -> str:
    if call_back:
        return _("Thank you. A person will listen to your message and call you back. Goodbye.")
    return _("Thank you. A person will listen to your message. Goodbye.")


def goodbye_after_duty() -> str:
    return _("Thank you for calling. Goodbye.")


def spoken_time(value: time) -> str:
    """09:00 -> "9am", 17:30 -> "5:30pm", 12:00 -> "midday", 00:00 -> "midnight"."""
    if value.minute == 0 and value.hour in (0, 12):
        return _("midnight") if value.hour == 0 else _("midday")
    hour = value.hour % 12 or 12
    clock = f"{hour}:{value.minute:02d}" if value.minute else str(hour)
    return (_("%(clock)sam") if value.hour < 12 else _("%(clock)spm")) % {"clock": clock}
