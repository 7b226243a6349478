"""Candidate rules, ranking and explanations, with no Django in them.

The database part (needs.matching.candidates) fetches rows near a need and hands them here as
``VolunteerRow``; everything decided about a row is decided here, so it can be tested without a
database and explained to a coordinator in words.

Order: distance first, then fairness (fewer recent tasks) among near-equals, then reliability.
"Near-equals" are volunteers in the same distance band (``BAND_KM`` wide): 1.1 km and 1.3 km away
are near-equals, so the one who has helped less lately goes first; 0.4 km and 2.3 km are not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
BAND_KM = 0.5
DBS_ORDER = ("none", "basic", "standard", "enhanced")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class NeedSpec:
    latitude: float
    longitude: float
    radius_km: float
    requires_dbs: str = "none"
    needs_car: bool = False
    language: str = ""
    window_start: datetime | None = None
    window_end: datetime | None = None
    on_date: date | None = None  # the day the DBS check must still be valid on
    # Consent given before this is too old to offer on (REACTIVATION_CONSENT_MAX_AGE_DAYS), and
    # unknown consent never does; None: no consent rule (benchmarks of the search alone).
    consent_after: datetime | None = None
    consent_max_days: int = 0  # the same rule in days, for its words
    skills: tuple[str, ...] = ()  # the volunteer must have every one of them

    @property
    def dbs_day(self) -> date | None:
        if self.on_date is not None:
            return self.on_date
        moment = self.window_end or self.window_start
        return moment.astimezone(LONDON).date() if moment else None


@dataclass
class VolunteerRow:
    id: int
    latitude: float
    longitude: float
    max_travel_km: float = 3.0
    dbs_level: str = "none"
    dbs_expires_on: date | None = None
    has_car: bool = False
    languages: Sequence[str] = ()
    skills: Sequence[str] = ()
    availability: dict | None = None
    max_open_assignments: int = 2
    # Filled from the offers history (one aggregate query for all rows fetched):
    open_assignments: int = 0
    recent_tasks: int = 0
    offers_made: int = 0
    accepted: int = 0
    completed: int = 0
    distance_km: float = math.inf


@dataclass
class Candidate:
    volunteer_id: int
    distance_km: float
    recent_tasks: int
    reliability: float
    rank: int = 0
    explanation: dict = field(default_factory=dict)


# --- rules ---------------------------------------------------------------------------------------
def dbs_rank(level: str) -> int:
    return DBS_ORDER.index(level) if level in DBS_ORDER else 0


def _parse_hhmm(text: str) -> time:
    if text in ("24:00", "24:00:00"):
        return time.max
    return time.fromisoformat(text)


def available_in_window(availability: dict | None, start: datetime | None, end: datetime | None) -> bool:
    """True when the weekly hours overlap the window (Europe/London). No hours means any time;
    no window means whenever suits."""
    if not availability or start is None:
        return True
    start_local = start.astimezone(LONDON)
    end_local = (end or start + timedelta(hours=1)).astimezone(LONDON)
    day = start_local.date()
    # A window longer than a week overlaps every weekday; cap the loop.
    for _ in range(8):
        if day > end_local.date():
            break
        for slot in availability.get(WEEKDAYS[day.weekday()], []) or []:
            try:
                slot_start = datetime.combine(day, _parse_hhmm(slot[0]), LONDON)
                slot_end = datetime.combine(day, _parse_hhmm(slot[1]), LONDON)
            except (ValueError, TypeError, IndexError):
                continue  # a malformed slot is ignored, not fatal for the whole match
            if slot_start < end_local and start_local < slot_end:
                return True
        day += timedelta(days=1)
    return False


def _distance_reason(need: NeedSpec, row: VolunteerRow) -> str | None:
    if row.distance_km > need.radius_km:
        return f"{row.distance_km:.1f} km away, beyond the need's {need.radius_km:g} km"
    if row.distance_km > row.max_travel_km:
        return f"{row.distance_km:.1f} km away, beyond their own {row.max_travel_km:g} km"
    return None


CONSENT_UNKNOWN = "consent unknown: they must re-consent before any offer"


def consent_too_old(days: int) -> str:
    return f"consent older than {days // 30} months: they must renew it before any offer"


def consent_reason(need: NeedSpec, consent_at: datetime | None) -> str | None:
    """Why consent given at ``consent_at`` (None: unknown) does not allow an offer, or None. The
    matcher checks it with the rules that read other columns than the search's (candidates.py)."""
    if need.consent_after is None:
        return None
    if consent_at is None:
        return CONSENT_UNKNOWN
    if consent_at < need.consent_after:
        return consent_too_old(need.consent_max_days)
    return None


def _dbs_reason(need: NeedSpec, row: VolunteerRow) -> str | None:
    if need.requires_dbs == "none":
        return None
    if dbs_rank(row.dbs_level) < dbs_rank(need.requires_dbs):
        return f"needs a {need.requires_dbs} DBS check, has {row.dbs_level}"
    day = need.dbs_day
    if row.dbs_expires_on is not None and day is not None and row.dbs_expires_on < day:
        return f"DBS check expires {row.dbs_expires_on.isoformat()}, before the need"
    return None


def _fit_reason(need: NeedSpec, row: VolunteerRow) -> str | None:
    if need.needs_car and not row.has_car:
        return "needs a car"
    if need.language and need.language.lower() not in {lang.lower() for lang in row.languages or ()}:
        return f"does not speak {need.language}"
    if need.skills and not set(need.skills) <= set(row.skills or ()):
        return SKILLS_MISSING
    if not available_in_window(row.availability, need.window_start, need.window_end):
        return "not available in the need's window"
    if row.open_assignments >= row.max_open_assignments:
        return f"already has {row.open_assignments} open tasks (limit {row.max_open_assignments})"
    return None


# The skills rule's words (one count for every volunteer it leaves out of a need).
SKILLS_MISSING = "does not have every skill the need asks for"
_RULES = (_distance_reason, _dbs_reason, _fit_reason)


def exclusion_reason(need: NeedSpec, row: VolunteerRow) -> str | None:
    """Why this volunteer cannot take this need (the first rule that applies), or None if they can.

    Rules that the database applies (status, opt-outs, unreachable phones, already offered, and
    consent: ``consent_reason``) are not repeated here; ``distance_km`` must be set.
    """
    for rule in _RULES:
        reason = rule(need, row)
        if reason is not None:
            return reason
    return None


# --- ranking -------------------------------------------------------------------------------------
def reliability_score(*, offers_made: int, accepted: int, completed: int) -> float:
    """Smoothed share of offers accepted and of accepted tasks completed; a newcomer scores 0.5."""
    accept_rate = (accepted + 1) / (offers_made + 2)
    completion_rate = (completed + 1) / (accepted + 2)
    return round((accept_rate + completion_rate) / 2, 3)


def distance_band(distance_km: float) -> int:
    return int(distance_km // BAND_KM)


def candidates_rank(rows: Iterable[VolunteerRow], *, limit: int | None = None) -> list[Candidate]:
    """Order eligible rows and explain each place. ``rows`` must already have passed the rules."""
    scored = [
        Candidate(
            volunteer_id=row.id,
            distance_km=row.distance_km,
            recent_tasks=row.recent_tasks,
            reliability=reliability_score(
                offers_made=row.offers_made, accepted=row.accepted, completed=row.completed
            ),
        )
        for row in rows
    ]
    scored.sort(key=lambda c: (distance_band(c.distance_km), c.recent_tasks, -c.reliability, c.distance_km))
    chosen = scored if limit is None else scored[:limit]
    for position, cand in enumerate(chosen, start=1):
        cand.rank = position
        cand.explanation = explain(cand, chosen)
    return chosen


def explain(cand: Candidate, ranked: Sequence[Candidate]) -> dict:
    band = distance_band(cand.distance_km)
    lo, hi = band * BAND_KM, (band + 1) * BAND_KM
    peers = [c for c in ranked if c is not cand and distance_band(c.distance_km) == band]
    reasons = [f"{cand.distance_km:.1f} km away (distance band {lo:g}-{hi:g} km)"]
    if peers:
        reasons.append(
            f"{cand.recent_tasks} task(s) in the last 30 days; near-equals in the same band had "
            + ", ".join(str(p.recent_tasks) for p in peers)
        )
    else:
        reasons.append(f"{cand.recent_tasks} task(s) in the last 30 days")
    reasons.append(f"reliability {cand.reliability:.2f} (accepts and completions, 0.5 for newcomers)")
    return {
        "rank": cand.rank,
        "distance_km": round(cand.distance_km, 2),
        "distance_band_km": [lo, hi],
        "recent_tasks": cand.recent_tasks,
        "reliability": cand.reliability,
        "reasons": reasons,
        "summary": f"#{cand.rank}: " + "; ".join(reasons),
    }
