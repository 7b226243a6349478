"""The register's states in plain words (pure: no Django): how fresh a group's contact is, how long
ago something was, languages and skills by name."""

from __future__ import annotations

from collections.abc import Iterable

from volunteers.forms import LANGUAGE_CHOICES, SKILL_CHOICES

# Worst first: a stale contact is the memory rotting; a group never checked is close behind.
FRESHNESS_ORDER = {"stale": 0, "never": 1, "due": 2, "fresh": 3}
FRESHNESS_WORDS = {
    "stale": "Stale: missed two checks",
    "never": "Never checked",
    "due": "Due a check",
    "fresh": "Fresh",
}
LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)
SKILL_NAMES = dict(SKILL_CHOICES)


def ago_words(days: int | None) -> str:
    """``430`` -> "14 months ago"; None -> "never"."""
    if days is None:
        return "never"
    if days <= 0:
        return "today"
    if days < 45:
        return f"{days} day{'s' if days != 1 else ''} ago"
    if days < 730:
        months = round(days / 30.44)
        return f"{months} months ago"
    return f"{days // 365} years ago"


def names_of(codes: Iterable[str], names: dict[str, str]) -> str:
    """Codes as their names ("en", "so" -> "English, Somali"); an unknown code as it is."""
    return ", ".join(names.get(code, code) for code in codes)
