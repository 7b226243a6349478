"""Every sentence a volunteer hears on a campaign call. Marked for translation with named
placeholders; voice says them in the volunteer's language. The campaign's own words come from its
playbook (already in the volunteer's language where the playbook has it)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# Sentences of a text that tell the reader what to reply: on a call the keys replace them.
_REPLY_SENTENCE = re.compile(r"^\s*reply\b", re.IGNORECASE)


def campaign_intro(*, sender: str) -> str:
    return _("Hello, this is a call from %(sender)s.") % {"sender": sender}


def campaign_words(body: str, *, sender: str) -> str:
    """The campaign's text as it is said: without "Sender:" in front (the intro said who) and
    without the sentences about replying by text."""
    text = body.strip()
    if sender and text.startswith(f"{sender}:"):
        text = text[len(sender) + 1 :].strip()
    sentences = re.split(r"(?<=[.!?])\s+", text)
    kept = [s for s in sentences if s and not _REPLY_SENTENCE.match(s)]
    return " ".join(kept)


def campaign_keys() -> list[str]:
    return [
        _("Press 1 if you are ready to help."),
        _("Press 2 for not now."),
        _("Press 3 to hear this again."),
    ]


def ready() -> str:
    return _(
        "Thank you, you are down as ready to help. We will call you when someone near you needs help. Goodbye."
    )


def not_now() -> str:
    return _("Thank you. No problem, you stay on the list and we may ask again another time. Goodbye.")


def nothing_open() -> str:
    return _("Thank you. There is nothing waiting for an answer from you just now. Goodbye.")


def no_longer_open() -> str:
    return _("Thank you. This call is no longer needed. Goodbye.")
