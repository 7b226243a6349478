"""The plain words a person reads for the parts of a playbook: languages, the texts a campaign
sends, targeting and wave rules. One place, so the reading page, the editor and the comparison of
two versions name each part the same way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reactivation.waves import ESCALATION_DEFAULTS, RULE_DEFAULTS
from volunteers.forms import LANGUAGE_CHOICES, SKILL_CHOICES
from volunteers.models import MutualAidGroup

# The languages a volunteer may choose by text (LANGUAGE <name>); English first, the fallback.
TEMPLATE_LANGUAGES = ("en", "pa", "ur", "bn", "pl", "ar")
LANGUAGE_NAMES: dict[str, str] = dict(LANGUAGE_CHOICES)

MESSAGE_TITLES: dict[str, str] = {
    "organiser_call": "To group organisers",
    "volunteer_call": "To volunteers",
    "reconsent": "Asking to renew consent",
    "thanks": "Thank you",
}
MESSAGE_HELP: dict[str, str] = {
    "organiser_call": "Sent to a dormant group's organiser or deputy. Empty: the text to volunteers is used.",
    "volunteer_call": "Sent to volunteers. Every playbook needs this one in English.",
    "reconsent": "Sent instead when someone agreed to texts long ago. Empty: a standard text is used.",
    "thanks": "Sent to say thank you when the campaign ends.",
}

RULE_LABELS: dict[str, str] = {
    "first_wave": "First wave: texts at most",
    "growth": "Each later wave: times the one before",
    "max_wave": "Any one wave: texts at most",
    "wait_minutes": "Minutes to wait for replies before the next wave",
    "max_waves": "Waves at most",
    "stop_when_ready": "Enough people ready (when the campaign does not say)",
    "widen_km": "Widen the area each wave by (km)",
    "widen_to_km": "Widen the area to at most (km)",
    "widen_below_ready": "Widen only while fewer than this have said READY",
}
RULE_HELP: dict[str, str] = {
    "first_wave": "Start small: the first wave texts no more than this.",
    "growth": "Waves grow while READY replies keep coming; 1 keeps them the same size.",
    "max_wave": "No wave texts more people than this.",
    "wait_minutes": "How long replies are awaited before the next wave goes out.",
    "max_waves": "No more waves after this many.",
    "stop_when_ready": "Waves stop once this many people have said READY, unless the campaign sets its own number.",
    "widen_km": "For a campaign around a place: each later wave reaches this much further out, "
    "never beyond the council areas the organisation covers. Give the limit below too.",
    "widen_to_km": "The furthest the waves may reach, as a distance from the place.",
    "widen_below_ready": "The area widens only while fewer than this many have said READY.",
}

TARGETING_LABELS: dict[str, str] = {
    "group_kinds": "Kinds of group to wake",
    "skills": "Skills that suit this playbook",
    "radius_km": "Near means within (km)",
}
SKILL_NAMES: dict[str, str] = dict(SKILL_CHOICES)
GROUP_KIND_NAMES: dict[str, str] = {str(k): str(v) for k, v in MutualAidGroup.Kind.choices}

# Everything above in one map, for the comparison of two versions (keys do not overlap).
LABELS: dict[str, str] = {
    **LANGUAGE_NAMES,
    **MESSAGE_TITLES,
    **RULE_LABELS,
    **TARGETING_LABELS,
    **SKILL_NAMES,
    **GROUP_KIND_NAMES,
}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def message_title(name: str) -> str:
    return MESSAGE_TITLES.get(name) or name.replace("_", " ").capitalize()


def languages_in_order(codes: Any) -> list[str]:
    """The template languages first in their usual order, then any other a playbook brought."""
    extra = sorted(c for c in codes if c not in TEMPLATE_LANGUAGES)
    return [*TEMPLATE_LANGUAGES, *extra]


def messages_in_order(names: Any) -> list[str]:
    return [*MESSAGE_TITLES, *sorted(n for n in names if n not in MESSAGE_TITLES)]


def targeting_readable(targeting: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``[(label, value in words)]`` for a version's targeting, as the reading page shows it."""
    kinds = targeting.get("group_kinds") or []
    skills = targeting.get("skills") or []
    radius = targeting.get("radius_km")
    rows = [
        (TARGETING_LABELS["group_kinds"], ", ".join(GROUP_KIND_NAMES.get(k, k) for k in kinds) or "Any kind"),
        (TARGETING_LABELS["skills"], ", ".join(SKILL_NAMES.get(s, s) for s in skills) or "Any skill"),
        (TARGETING_LABELS["radius_km"], f"{radius} km" if radius else "3 km (the usual)"),
    ]
    rows += [
        (key.replace("_", " ").capitalize(), str(value))
        for key, value in targeting.items()
        if key not in TARGETING_LABELS
    ]
    return rows


def rule_usual(key: str) -> str:
    """What applies when a wave rule is left empty, in words."""
    if key in ESCALATION_DEFAULTS:
        return (
            "the people needed (the target)"
            if key == "widen_below_ready"
            else "none: the area stays as chosen"
        )
    return f"{RULE_DEFAULTS[key]:g} (the usual)"


def wave_rules_readable(rules: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``[(label, value)]`` for every wave rule, saying where the usual value applies."""
    return [
        (label, str(rules[key]) if key in rules else rule_usual(key)) for key, label in RULE_LABELS.items()
    ]


ENCODING_WORDS: dict[str, str] = {
    "gsm7": "Plain text (GSM-7): up to 160 characters in one segment, 153 each when longer",
    "ucs2": "Unicode (UCS-2): up to 70 characters in one segment, 67 each when longer",
}
