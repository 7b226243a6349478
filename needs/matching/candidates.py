"""The database side of the matcher: the ring search over the multi-level cells.

Every located volunteer carries one cell key per level (volunteers.geography.CELL_SIDES_KM). The
grid's projection never makes a distance longer than it is, so the 3x3 block of cells around a
point at level L holds every volunteer within ``CELL_SIDES_KM[L]`` km of it. The search starts at
the level a cached density map predicts (needs.matching.rings) and goes up one level at a time
until the answer is exact: enough eligible volunteers lie within one cell side, or the side covers
the need's whole radius. Volunteers with no location have no cell keys and are never fetched.

Each level is one query with no joins and no subqueries: ``status = 'active'`` written literally
(the partial ``vol_active_cell_N`` indexes' predicate, so both SQLite and PostgreSQL use them)
and ``cell_N IN (9 keys)``, plus the selective rules (DBS, car, language) so a rare need does not
ship thousands of rows. Skills are not filtered in SQL: their rule runs on the rows fetched, so
"who was left out" can say how many it turned away. The rules that need other tables or columns
(opt-outs, already offered, consent known and younger than REACTIVATION_CONSENT_MAX_AGE_DAYS,
workload) are checked once, on the nearest few rows only, in one query; the ranking's history is
one more.

Queries per match: usually 3 (one level, the exclusions, the history), plus one per extra level
climbed and one when the density map is refreshed (every ``NEEDS_MATCHER_DENSITY_TTL_SECONDS``,
default 600, per process and filter). Nothing depends on the number of volunteers in the table.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from geographiclib.geodesic import Geodesic

from messaging.models import OptOut
from needs.matching.ranking import (
    BAND_KM,
    DBS_ORDER,
    Candidate,
    NeedSpec,
    VolunteerRow,
    candidates_rank,
    consent_reason,
    dbs_rank,
    distance_band,
    exclusion_reason,
    explain,
)
from needs.matching.rings import DENSITY_LEVELS, start_level
from needs.models import Need, Offer
from volunteers.geography import CELL_SIDES_KM, MAX_SEARCH_RADIUS_KM, cell_block, haversine_km
from volunteers.models import Volunteer

_GEODESIC = Geodesic.WGS84
RECENT_DAYS = 30
_ROW_FIELDS = (
    "id",
    "latitude",
    "longitude",
    "max_travel_km",
    "dbs_level",
    "dbs_expires_on",
    "has_car",
    "languages",
    "skills",
    "availability",
    "max_open_assignments",
)


@dataclass
class MatchResult:
    candidates: list[Candidate]
    level: int  # the last level visited
    searched_km: float  # every eligible volunteer within this distance was seen
    fetched: int  # rows read from the database at the last level
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> count, for "why nobody?"


def need_spec(need: Need, *, now: datetime | None = None) -> NeedSpec | None:
    """What the matcher looks for; None for a need with no place (it has no candidates). Consent
    must be known and younger than REACTIVATION_CONSENT_MAX_AGE_DAYS, as for a campaign."""
    if need.latitude is None or need.longitude is None:
        return None
    max_days = settings.REACTIVATION_CONSENT_MAX_AGE_DAYS
    return NeedSpec(
        latitude=need.latitude,
        longitude=need.longitude,
        radius_km=min(need.search_radius_km, MAX_SEARCH_RADIUS_KM),
        requires_dbs=need.requires_dbs,
        needs_car=need.needs_car,
        language=need.language,
        window_start=need.window_start,
        window_end=need.window_end,
        on_date=None if (need.window_start or need.window_end) else timezone.localdate(),
        consent_after=(now or timezone.now()) - timedelta(days=max_days),
        consent_max_days=max_days,
        skills=tuple(need.skills or ()),
    )


def _base_queryset(spec: NeedSpec):
    """Active, reachable volunteers passing the need's selective rules, as plain SQL conditions."""
    table = Volunteer._meta.db_table
    # The status test is written as a literal, not a bound parameter: SQLite uses a partial index
    # (``WHERE status = 'active'``) only when the query repeats its condition literally, and
    # PostgreSQL plans a generic prepared statement the same way.
    qs = Volunteer.objects.extra(where=[f"{table}.status = '{Volunteer.Status.ACTIVE.value}'"])  # noqa: S610
    qs = qs.filter(phone_unreachable_at__isnull=True)
    if spec.requires_dbs != "none":
        qs = qs.filter(dbs_level__in=DBS_ORDER[dbs_rank(spec.requires_dbs) :])
        if spec.dbs_day is not None:
            qs = qs.filter(Q(dbs_expires_on__isnull=True) | Q(dbs_expires_on__gte=spec.dbs_day))
    if spec.needs_car:
        qs = qs.filter(has_car=True)
    if spec.language:
        # A case-insensitive match of the quoted code in the JSON text: a superset (the Python rule
        # decides), so that a need for a Punjabi speaker does not ship every English speaker's row.
        like = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
        cast = "::text" if connection.vendor == "postgresql" else ""
        qs = qs.extra(where=[f"{table}.languages{cast} {like} %s"], params=[f'%"{spec.language}"%'])  # noqa: S610
    return qs.order_by()


def _row_fields(spec: NeedSpec) -> tuple[str, ...]:
    """Only the columns the rules need: a JSON column costs a decode per row on every fetch."""
    skip = set()
    if not spec.language:
        skip.add("languages")
    if not spec.skills:
        skip.add("skills")
    if spec.window_start is None:
        skip.add("availability")
    return tuple(f for f in _ROW_FIELDS if f not in skip)


def _level_queryset(*, spec: NeedSpec, level: int):
    block = cell_block(spec.latitude, spec.longitude, level)
    return _base_queryset(spec).filter(**{f"cell_{level}__in": block}).values(*_row_fields(spec))


# --- the density map that picks the start level (cached per process) -------------------------------
_density_cache: dict[tuple, tuple[float, dict[int, dict[int, int]]]] = {}


def density_cache_clear() -> None:
    _density_cache.clear()


def _filter_key(spec: NeedSpec) -> tuple:
    return (connection.alias, spec.requires_dbs, spec.needs_car, spec.language)


def density_map(spec: NeedSpec) -> dict[int, dict[int, int]]:
    """Active volunteers passing the need's selective rules, per cell at each of DENSITY_LEVELS.

    One grouped query over the active rows, kept for ``NEEDS_MATCHER_DENSITY_TTL_SECONDS``. It
    only chooses where the climb starts, so a stale map never changes an answer.
    """
    key = _filter_key(spec)
    ttl = settings.NEEDS_MATCHER_DENSITY_TTL_SECONDS
    cached = _density_cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < ttl:
        return cached[1]
    fine, coarse = (f"cell_{level}" for level in DENSITY_LEVELS)
    maps: dict[int, dict[int, int]] = {level: {} for level in DENSITY_LEVELS}
    rows = _base_queryset(spec).exclude(**{f"{fine}__isnull": True}).values_list(fine, coarse)
    for cell_fine, cell_coarse, n in rows.annotate(n=Count("pk")):
        maps[DENSITY_LEVELS[0]][cell_fine] = maps[DENSITY_LEVELS[0]].get(cell_fine, 0) + n
        maps[DENSITY_LEVELS[1]][cell_coarse] = maps[DENSITY_LEVELS[1]].get(cell_coarse, 0) + n
    _density_cache[key] = (time.monotonic(), maps)
    return maps


def first_level(spec: NeedSpec, *, want: int) -> int:
    maps = density_map(spec)
    counts = {
        level: sum(maps[level].get(k, 0) for k in cell_block(spec.latitude, spec.longitude, level))
        for level in DENSITY_LEVELS
    }
    return start_level(block_counts=counts, sides_km=CELL_SIDES_KM, want=want, radius_km=spec.radius_km)


def _checks(
    *, need: Need | None, spec: NeedSpec, ids: list[int], now: datetime
) -> dict[int, tuple[str | None, dict]]:
    """For each volunteer: why they cannot be offered this need (the rules that read other tables or
    columns: opt-outs, already offered, consent, workload) or None, and their history for the
    ranking. One query, on the nearest rows only (a date column costs a parse per row fetched)."""
    if not ids:
        return {}
    since = now - timedelta(days=RECENT_DAYS)
    open_assignments = (
        Need.objects.filter(assigned_volunteer=OuterRef("pk"), status=Need.Status.ASSIGNED)
        .order_by()
        .values("assigned_volunteer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    accepted = Q(offers__status=Offer.Status.ACCEPTED)
    need_pk = need.pk if need is not None and need.pk else 0  # 0: no row has it
    rows = (
        Volunteer.objects.filter(pk__in=ids)
        .order_by()
        .values("pk", "max_open_assignments", "consent_at")
        .annotate(
            opted_out=Exists(OptOut.objects.filter(phone=OuterRef("phone"))),
            open_assignments=Coalesce(Subquery(open_assignments, output_field=IntegerField()), Value(0)),
            offered=Count("offers", filter=Q(offers__need_id=need_pk)),
            offers_made=Count("offers"),
            accepted=Count("offers", filter=accepted),
            completed=Count("offers", filter=accepted & Q(offers__completed_at__isnull=False)),
            recent_tasks=Count("offers", filter=accepted & Q(offers__responded_at__gte=since)),
        )
    )
    result = {}
    for r in rows:
        history = {k: r[k] for k in ("offers_made", "accepted", "completed", "recent_tasks")}
        result[r["pk"]] = (_check_reason(r, spec=spec), history)
    return result


def _check_reason(r: Mapping[str, Any], *, spec: NeedSpec) -> str | None:
    if r["opted_out"]:
        return "opted out"
    if r["offered"]:
        return "already offered this need"
    consent = consent_reason(spec, r["consent_at"])
    if consent is not None:
        return consent
    if r["open_assignments"] >= r["max_open_assignments"]:
        return f"already has {r['open_assignments']} open tasks (limit {r['max_open_assignments']})"
    return None


def candidates_find(
    *, need: Need, limit: int = 10, spec: NeedSpec | None = None, now: datetime | None = None
) -> MatchResult:
    """The best ``limit`` eligible volunteers for ``need``, ranked and explained.

    A need with no place has no candidates (need_create refuses such needs anyway).
    """
    now = now or timezone.now()
    spec = spec or need_spec(need, now=now)
    if spec is None or limit <= 0:
        return MatchResult([], 0, 0.0, 0)
    # Near-equals in the limit-th row's distance band may reorder by fairness; keep that many.
    keep = max(limit * 5, 50)
    level = first_level(spec, want=limit)
    checked: dict[int, tuple[str | None, dict]] = {}  # id -> (why not or None, history)
    while True:
        side = CELL_SIDES_KM[level]
        last = side >= spec.radius_km or level == len(CELL_SIDES_KM) - 1
        eligible, excluded, fetched = _level_fetch(spec=spec, level=level)
        if not last:
            # Rows in the block's corners beyond one side are an incomplete sample: leave them
            # out, so the answer is exactly "the best among everyone within searched_km".
            eligible = [r for r in eligible if r.distance_km <= side]
        eligible.sort(key=lambda r: r.distance_km)
        good = _nearest_passing(
            need=need,
            spec=spec,
            eligible=eligible,
            limit=limit,
            keep=keep,
            checked=checked,
            excluded=excluded,
            now=now,
        )
        if last or len(good) >= limit:
            break
        level += 1
    if len(good) > limit:
        cutoff = _band_cutoff(good, limit=limit)
        good = [r for r in good if r.distance_km < cutoff][:keep]
    ranked = candidates_rank(good, limit=limit)
    _true_distances_set(spec=spec, ranked=ranked, rows=good)
    for cand in ranked:
        cand.explanation = explain(cand, ranked)
    return MatchResult(ranked, level, min(side, spec.radius_km), fetched, excluded)


def _level_fetch(*, spec: NeedSpec, level: int) -> tuple[list[VolunteerRow], dict[str, int], int]:
    """One query: the rows in the 3x3 block at ``level``. Returns those passing the rules on the
    row itself (distance filled in), the count of the others by reason, and the rows fetched."""
    rows = list(_level_queryset(spec=spec, level=level))
    eligible: list[VolunteerRow] = []
    excluded: dict[str, int] = {}
    for values in rows:
        row = VolunteerRow(**values)
        row.distance_km = haversine_km(spec.latitude, spec.longitude, row.latitude, row.longitude)
        reason = exclusion_reason(spec, row)
        if reason is None:
            eligible.append(row)
        else:
            key = reason.split(",")[0] if "km away" in reason else reason
            excluded[key] = excluded.get(key, 0) + 1
    return eligible, excluded, len(rows)


def _nearest_passing(
    *,
    need: Need,
    spec: NeedSpec,
    eligible: list[VolunteerRow],
    limit: int,
    keep: int,
    checked: dict[int, tuple[str | None, dict]],
    excluded: dict[str, int],
    now: datetime,
) -> list[VolunteerRow]:
    """Of ``eligible`` (nearest first), those who also pass the rules that read other tables,
    with their history filled in. Checks ``keep`` rows at a time (one query each, remembered in
    ``checked`` across levels) and stops once no further row could rank in the top ``limit``.
    Adds the rows turned away to ``excluded``."""
    good: list[VolunteerRow] = []
    position = 0
    while position < len(eligible) and len(good) < keep:
        chunk = eligible[position : position + keep]
        position += len(chunk)
        todo = [r.id for r in chunk if r.id not in checked]
        if todo:
            checked.update(_checks(need=need, spec=spec, ids=todo, now=now))
        good.extend(_rows_passing(chunk, checked=checked, excluded=excluded))
        if len(good) >= limit:
            # Past the limit-th row's band nothing more can be ranked in: stop checking.
            cutoff = _band_cutoff(good, limit=limit)
            if position >= len(eligible) or eligible[position].distance_km >= cutoff:
                break
    return good


def _rows_passing(
    rows: list[VolunteerRow], *, checked: dict[int, tuple[str | None, dict]], excluded: dict[str, int]
) -> list[VolunteerRow]:
    """The rows ``checked`` found no reason against, with their history; counts the rest."""
    passing = []
    for row in rows:
        reason, history = checked.get(row.id, ("gone", {}))
        if reason is None:
            for name, value in history.items():
                setattr(row, name, value)
            passing.append(row)
        else:
            excluded[reason] = excluded.get(reason, 0) + 1
    return passing


def _band_cutoff(good: list[VolunteerRow], *, limit: int) -> float:
    """The far edge of the limit-th row's distance band: only rows nearer can still rank in."""
    return (distance_band(good[limit - 1].distance_km) + 1) * BAND_KM


def _true_distances_set(*, spec: NeedSpec, ranked: list[Candidate], rows: list[VolunteerRow]) -> None:
    """The exact geodesic (WGS84, geographiclib: geopy's own engine) on the final few only: the
    haversine (within 0.5%) did the searching and the ranking; the people see the true distance."""
    by_id = {r.id: r for r in rows}
    for cand in ranked:
        row = by_id[cand.volunteer_id]
        cand.distance_km = (
            _GEODESIC.Inverse(spec.latitude, spec.longitude, row.latitude, row.longitude, _GEODESIC.DISTANCE)[
                "s12"
            ]
            / 1000
        )


def volunteers_no_longer_fitting(*, need: Need, volunteer_ids: list[int]) -> set[int]:
    """Of ``volunteer_ids``, those the need's own rules (place and distance, DBS, car, language,
    skills, window) now turn away: after a coordinator changed the need, their open offers go."""
    spec = need_spec(need)
    if spec is None:
        return set(volunteer_ids)
    rows = Volunteer.objects.filter(pk__in=volunteer_ids).values(*_ROW_FIELDS)
    gone = set()
    for values in rows:
        row = VolunteerRow(**values)
        if row.latitude is None or row.longitude is None:
            gone.add(row.id)
            continue
        row.distance_km = haversine_km(spec.latitude, spec.longitude, row.latitude, row.longitude)
        row.max_open_assignments = max(row.max_open_assignments, 1)  # the workload is not the change
        if exclusion_reason(spec, row) is not None:
            gone.add(row.id)
    return gone
