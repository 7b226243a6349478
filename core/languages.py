"""The languages Rekindle speaks to volunteers and requesters in (pure: no Django models).

One list for the whole service: the settings' ``LANGUAGES``, the volunteer's preferred language,
the ``LANGUAGE <name>`` text command and the voice scripts all read it from here. Codes are
Django's language codes; names are given in English and in the language itself, because a person
choosing a language may not read English.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple


class Language(NamedTuple):
    code: str
    english: str
    own_name: str
    speech: str  # Twilio's <Say language=...> tag (British English for English)
    right_to_left: bool = False


SPOKEN = (
    Language("en", "English", "English", "en-GB"),
    Language("pa", "Punjabi", "ਪੰਜਾਬੀ", "pa-IN"),
    Language("ur", "Urdu", "اردو", "ur-IN", right_to_left=True),
    Language("bn", "Bengali", "বাংলা", "bn-IN"),
    Language("pl", "Polish", "Polski", "pl-PL"),
    Language("ar", "Arabic", "العربية", "ar-XA", right_to_left=True),
)

DEFAULT = "en"

# (code, label) pairs for a model field or a form: "Urdu (اردو)".
CHOICES = [
    (lang.code, lang.english if lang.own_name == lang.english else f"{lang.english} ({lang.own_name})")
    for lang in SPOKEN
]


def language_get(code: str) -> Language:
    """The language for ``code`` ("ur", "ur-pk" and "UR" are Urdu); English when it is not one of ours."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    for lang in SPOKEN:
        if lang.code == base:
            return lang
    return SPOKEN[0]


def _fold(text: str) -> str:
    """Case and accents away ("Polski", "POLSKI" and "polski" alike; "JĘZYK" is "jezyk")."""
    folded = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold().strip(" .!,:;-'\"")


# Other ways people write the same language's name.
ALIASES = {
    "panjabi": "pa",
    "punjabi": "pa",
    "bangla": "bn",
    "bengali": "bn",
    "polish": "pl",
    "arabic": "ar",
    "urdu": "ur",
    "english": "en",
    "angielski": "en",
}


def language_find(name: str) -> Language | None:
    """The language a person named ("URDU", "اردو", "polski", "pl"), or None when it is not one of
    ours. Case, accents and surrounding punctuation are forgiven."""
    wanted = _fold(name)
    if not wanted:
        return None
    for lang in SPOKEN:
        if wanted in (lang.code, _fold(lang.english), _fold(lang.own_name)):
            return lang
    code = ALIASES.get(wanted)
    return language_get(code) if code else None


def language_is_ours(code: str | None) -> bool:
    """Whether ``code`` ("ur", "ur-PK") names one of the service's languages."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return any(lang.code == base for lang in SPOKEN)


def language_code(code: str | None) -> str:
    """One of our codes for ``code``: the language itself when it is ours, else English."""
    return language_get(code or DEFAULT).code if language_is_ours(code) else DEFAULT
