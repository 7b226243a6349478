"""The matcher's findings in plain sentences for the need's page (pure: no Django).

The matcher (needs/matching) explains itself in terms that suit a log: "1.2 km away (distance
band 1-1.5 km)", "reliability 0.50", and it counts those it left out by a short key ("1.2 km
away", "opted out", "does not speak so"). People read these instead: why each candidate is where
they are, and how many each reason left out, counted together ("3 live too far away").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from volunteers.forms import LANGUAGE_CHOICES

LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)


def language_name(code: str) -> str:
    """ "so" -> "Somali"; a code we do not know is shown as it is."""
    return LANGUAGE_NAMES.get((code or "").lower(), code)


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def reliability_words(score: float) -> str:
    if score >= 0.8:
        return "Nearly always says yes and sees it through."
    if score >= 0.5:
        return "Says yes to about half of what they are asked, or has not been asked before."
    return "Often says no or does not answer, so comes after others about as near."


def candidate_sentences(explanation: Mapping[str, Any]) -> list[str]:
    """Why a candidate is where they are in the list, in sentences (the page says how far away
    they are before these)."""
    recent = int(explanation.get("recent_tasks", 0))
    helped = "Has not helped" if recent == 0 else f"Helped {_times(recent)}"
    return [
        f"{helped} in the last 30 days: among people about as near, those who helped less lately are asked first.",
        reliability_words(float(explanation.get("reliability", 0.5))),
    ]


# (pattern of the matcher's key, what one person is, what several are)
_LEFT_OUT: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"^[\d.]+ km away"), "lives too far away (beyond the need's reach or their own)", "live too far away (beyond the need's reach or their own)"),
    (re.compile(r"^further away than they will travel"), "lives further away than they will travel", "live further away than they will travel"),
    (re.compile(r"^opted out"), "has opted out of texts", "have opted out of texts"),
    (re.compile(r"^already offered"), "was already asked", "were already asked"),
    (re.compile(r"^needs a car"), "has no car", "have no car"),
    (re.compile(r"^needs an? \w+ DBS check"), "does not have the DBS check it needs", "do not have the DBS check it needs"),
    (re.compile(r"^DBS check expires"), "has a DBS check that runs out before it", "have a DBS check that runs out before it"),
    (re.compile(r"^not available"), "is not free at that time", "are not free at that time"),
    (re.compile(r"^already has \d+ open tasks"), "is already helping with as many needs as they take on", "are already helping with as many needs as they take on"),
    (re.compile(r"^consent unknown"), "has no consent to be texted on record: they must give it first", "have no consent to be texted on record: they must give it first"),
    (re.compile(r"^consent older"), "agreed to be texted too long ago: they must renew it first", "agreed to be texted too long ago: they must renew it first"),
    (re.compile(r"^does not have every skill"), "does not have every skill the need asks for", "do not have every skill the need asks for"),
    (re.compile(r"^gone"), "has left the register since", "have left the register since"),
]  # fmt: skip
_SPEAK = re.compile(r"^does not speak (\w+)")


def _phrase(key: str) -> tuple[str, str] | None:
    speak = _SPEAK.match(key)
    if speak:
        name = language_name(speak.group(1))
        return f"does not speak {name}", f"do not speak {name}"
    for pattern, one, several in _LEFT_OUT:
        if pattern.match(key):
            return one, several
    return None


def left_out_lines(excluded: Mapping[str, int]) -> list[str]:
    """Each reason the matcher left people out for, with how many, most first: "3 live too far
    away (...)". Keys with the same reason (each distance is its own key) are counted together; a
    reason not known here is shown in the matcher's words."""
    counts: dict[tuple[str, str], int] = {}
    for key, n in excluded.items():
        phrase = _phrase(key) or (f"left out: {key}", f"left out: {key}")
        counts[phrase] = counts.get(phrase, 0) + n
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0][1]))
    return [f"{n} {one if n == 1 else several}" for (one, several), n in ordered]
