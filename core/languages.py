"""The languages Rekindle speaks to volunteers and requesters in (pure: no Django models).

One list for the whole service: the settings' ``LANGUAGES``, the volunteer's preferred language,
the ``LANGUAGE <name>`` text command and the voice scripts all read it from here. Codes are
Django's language codes; names are given in English and in the language itself, because a person
choosing a language may not read English.
"""

from __future__ import annotations

from typing import NamedTuple


class Language(NamedTuple):
    code: str
    english: str
    own_name: str
    right_to_left: bool = False


SPOKEN = (
    Language("en", "English", "English"),
    Language("pa", "Punjabi", "ਪੰਜਾਬੀ"),
    Language("ur", "Urdu", "اردو", right_to_left=True),
    Language("bn", "Bengali", "বাংলা"),
    Language("pl", "Polish", "Polski"),
    Language("ar", "Arabic", "العربية", right_to_left=True),
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
