"""Every sentence voice itself says on a call (the apps' own scripts are in their voice_script.py).
Marked for translation with named placeholders; spoken in the volunteer's language."""

from __future__ import annotations

from django.utils.translation import gettext as _


def machine_message(*, sender: str, number: str) -> str:
    return _(
        "Hello, this is %(sender)s with a message for a volunteer. Please call us back on %(number)s. "
        "Thank you. Goodbye."
    ) % {"sender": sender, "number": number}


def opt_out_key() -> str:
    return _("Press 9 to stop all calls and texts from us.")


def opted_out() -> str:
    return _(
        "You will get no more calls or texts from us. If you change your mind, text START to this number. "
        "Goodbye."
    )


def no_key_heard() -> str:
    return _("We did not hear a key. Goodbye.")


def unknown_key() -> str:
    return _("Sorry, that key does nothing here.")


def no_longer_needed() -> str:
    return _("Sorry, this call is no longer needed. Thank you. Goodbye.")


def goodbye() -> str:
    return _("Thank you. Goodbye.")
