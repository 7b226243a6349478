"""The skills a need may ask for: the volunteers' own list (volunteers.forms.SKILL_CHOICES), the ones
each kind of need usually asks for, and the check of what a coordinator or the API sent. Pure."""

from __future__ import annotations

from collections.abc import Iterable

from needs.models import Need
from volunteers.forms import SKILL_CHOICES

SKILL_NAMES: dict[str, str] = dict(SKILL_CHOICES)

# What the posting form ticks when a coordinator picks a kind of need; they can change it.
CATEGORY_SKILLS: dict[str, list[str]] = {
    Need.Category.SHOPPING: ["shopping"],
    Need.Category.PRESCRIPTION: ["prescriptions"],
    Need.Category.HOT_MEAL: ["cooking"],
    Need.Category.FOOD_PARCEL: [],
    Need.Category.BEFRIENDING: ["befriending"],
    Need.Category.TRANSPORT: ["driving"],
    Need.Category.DIGITAL: ["digital_help"],
    Need.Category.OTHER: [],
}


def skills_clean(typed: Iterable[str] | None) -> tuple[list[str], str | None]:
    """The skill slugs in the order of the list, each once, or the problem naming the unknown ones."""
    slugs = [str(s).strip() for s in (typed or []) if str(s).strip()]
    unknown = [s for s in dict.fromkeys(slugs) if s not in SKILL_NAMES]
    if unknown:
        names = ", ".join(repr(s) for s in unknown)
        return [], f"Unknown skill {names}; one of {', '.join(SKILL_NAMES)}."
    wanted = set(slugs)
    return [slug for slug in SKILL_NAMES if slug in wanted], None


def skills_words(slugs: Iterable[str]) -> str:
    """ "Shopping and Driving people or things" ("" for none)."""
    names = [SKILL_NAMES.get(s, s) for s in slugs]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
