"""The database side of the matcher: the ring search over the multi-level cells.

Every located volunteer carries one cell key per level (volunteers.geography.CELL_SIDES_KM). The
grid's projection never makes a distance longer than it is, so the 3x3 block of cells around a
point at level L holds every volunteer within ``CELL_SIDES_KM[L]`` km of it. The search starts at
the level the shared density map predicts (needs.matching.density, needs.matching.rings; the
smallest ring while the map is being built) and goes up one level at a time until the answer is
exact: enough eligible volunteers lie within one cell side, or the side covers the need's radius.

Each level is one statement (needs.matching.nearest): every rule the database can apply, the
distance and ``ORDER BY`` distance, id ``LIMIT m``, the offers history for the ranking. Python
decides the exact rules again on the few rows that come back (haversine distance, language,
availability) and ranks them; the exact geodesic only for the final ``limit``. When the ``m``
nearest rows do not settle the answer (many turned away by the exact rules) the same level is
asked again with four times ``m``.

Statements per match: 1 in the common case; one more per extra level climbed or per wider ``m``
(at most 4 per level: m, 4m, 16m, then the whole level; 8 levels). Nothing depends on the number
of volunteers in the table. "Who was left out, and why" is only counted when asked for
(``MatchResult.excluded``, needs.matching.left_out). A need's skills are a hard rule like the
others: a superset in ``nearest.row_conditions`` (SQL), exact in ``ranking.exclusion_reason``,
counted in ``left_out``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from needs.matching import density
from needs.matching.density import density_cache_clear as density_cache_clear
from needs.matching.geodesic import geodesic_km
from needs.matching.left_out import left_out_count
from needs.matching.nearest import nearest_fetch, slack
from needs.matching.ranking import (
    BAND_KM,
    Candidate,
    NeedSpec,
    VolunteerRow,
    candidates_rank,
    distance_band,
    exclusion_reason,
    explain,
)
from needs.matching.rings import DENSITY_LEVELS, start_level
from needs.models import Need
from volunteers.geography import CELL_SIDES_KM, MAX_SEARCH_RADIUS_KM, cell_block, haversine_km
from volunteers.models import Volunteer

RECENT_DAYS = 30
FIRST_M = 2  # the first statement asks for 2 * keep rows
WIDEN = 4  # when the m nearest do not settle the answer, ask for 4m
MAX_M = 3200  # past this, the level is read whole


@dataclass
class MatchResult:
    candidates: list[Candidate]
    level: int  # the last level visited
    searched_km: float  # every eligible volunteer within this distance was seen
    fetched: int  # rows the database's nearest-first scan returned at the last level
    count_left_out: Callable[[], dict[str, int]] | None = field(default=None, repr=False)
    _excluded: dict[str, int] | None = field(default=None, repr=False)

    @property
    def excluded(self) -> dict[str, int]:
        """Reason -> how many volunteers within ``searched_km`` it left out ("why nobody?"):
        grouped counts in the database, on first use only."""
        if self._excluded is None:
            self._excluded = self.count_left_out() if self.count_left_out is not None else {}
        return self._excluded


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
        skills=tuple(need.skills or ()),
        window_start=need.window_start,
        window_end=need.window_end,
        on_date=None if (need.window_start or need.window_end) else timezone.localdate(),
        consent_after=(now or timezone.now()) - timedelta(days=max_days),
        consent_max_days=max_days,
    )


def density_map(spec: NeedSpec) -> dict[int, dict[int, int]] | None:
    """The shared start-level map for ``spec``'s filter, None while it is being built."""
    return density.density_map(spec)


def first_level(spec: NeedSpec, *, want: int) -> int:
    maps = density_map(spec)
    if maps is None:
        return 0  # no map yet: climb from the smallest ring (exact, a few more statements at worst)
    counts = {
        level: sum(maps[level].get(k, 0) for k in cell_block(spec.latitude, spec.longitude, level))
        for level in DENSITY_LEVELS
    }
    return start_level(block_counts=counts, sides_km=CELL_SIDES_KM, want=want, radius_km=spec.radius_km)


@dataclass(frozen=True)
class _Search:
    spec: NeedSpec
    need_pk: int
    since: datetime
    limit: int
    keep: int  # near-equals in the limit-th row's distance band may reorder by fairness: keep that many


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
    need_pk = need.pk if need is not None and need.pk else 0  # 0: no offer has it
    search = _Search(spec, need_pk, now - timedelta(days=RECENT_DAYS), limit, max(limit * 5, 50))
    level = first_level(spec, want=limit)
    while True:
        side = CELL_SIDES_KM[level]
        last = side >= spec.radius_km or level == len(CELL_SIDES_KM) - 1
        good, fetched = _level_search(search, level=level, last=last)
        if good is not None:
            break
        level += 1
    ranked = candidates_rank(good, limit=limit)
    _true_distances_set(spec=spec, ranked=ranked, rows=good)
    for cand in ranked:
        cand.explanation = explain(cand, ranked)
    searched = min(side, spec.radius_km)
    return MatchResult(
        ranked,
        level,
        searched,
        fetched,
        lambda: left_out_count(spec=spec, need_pk=need_pk, level=level, searched_km=searched),
    )


def _level_search(search: _Search, *, level: int, last: bool) -> tuple[list[VolunteerRow] | None, int]:
    """The rows that can be ranked, found at ``level`` (None: climb), and the rows fetched.

    At a level below the last only volunteers within one cell side count (the block's corners
    beyond it are an incomplete sample), so the answer is exactly "the best among everyone
    within searched_km"."""
    spec = search.spec
    bound = spec.radius_km if last else CELL_SIDES_KM[level]
    m: int | None = search.keep * FIRST_M  # room for rows the checks turn away
    while True:
        got = nearest_fetch(
            spec, level=level, bound_km=bound, m=m, need_pk=search.need_pk, since=search.since
        )
        good = _passing(spec, got.rows, bound=bound)
        if m is None or got.near < m:  # everyone within the bound was seen
            if last or len(good) >= search.limit:
                return _final(good, search), got.near
            return None, got.near
        known = got.far_km / slack(got.far_km)  # every row nearer than this was seen
        seen = [r for r in good if r.distance_km < known]
        if _settled(seen, search, known=known, bound=bound):
            return _final(seen, search), got.near
        m = m * WIDEN if m * WIDEN <= MAX_M else None


def _passing(spec: NeedSpec, rows: list[VolunteerRow], *, bound: float) -> list[VolunteerRow]:
    """The rows that pass the exact rules within ``bound`` km, nearest first."""
    good = []
    for row in rows:
        row.distance_km = haversine_km(spec.latitude, spec.longitude, row.latitude, row.longitude)
        if row.distance_km <= bound and exclusion_reason(spec, row) is None:
            good.append(row)
    good.sort(key=lambda r: (r.distance_km, r.id))
    return good


def _settled(seen: list[VolunteerRow], search: _Search, *, known: float, bound: float) -> bool:
    """Whether the rows nearer than ``known`` decide the answer: the limit-th is among them, and
    so is everyone who could still rank in (its distance band, at most ``keep``)."""
    if len(seen) < search.limit:
        return False
    cutoff = min(_band_cutoff(seen, limit=search.limit), bound)
    return cutoff <= known or sum(r.distance_km < cutoff for r in seen) >= search.keep


def _final(good: list[VolunteerRow], search: _Search) -> list[VolunteerRow]:
    if len(good) > search.limit:
        cutoff = _band_cutoff(good, limit=search.limit)
        good = [r for r in good if r.distance_km < cutoff][: search.keep]
    return good


def _band_cutoff(good: list[VolunteerRow], *, limit: int) -> float:
    """The far edge of the limit-th row's distance band: only rows nearer can still rank in."""
    return (distance_band(good[limit - 1].distance_km) + 1) * BAND_KM


def _true_distances_set(*, spec: NeedSpec, ranked: list[Candidate], rows: list[VolunteerRow]) -> None:
    """The exact WGS84 geodesic (needs.matching.geodesic) on the final few only: the haversine
    (within 0.5%) did the searching and the ranking; the people see the true distance."""
    by_id = {r.id: r for r in rows}
    for cand in ranked:
        row = by_id[cand.volunteer_id]
        cand.distance_km = geodesic_km(spec.latitude, spec.longitude, row.latitude, row.longitude)


_FIT_FIELDS = (
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


def volunteers_no_longer_fitting(*, need: Need, volunteer_ids: list[int]) -> set[int]:
    """Of ``volunteer_ids``, those the need's own rules (place and distance, DBS, car, language,
    skills, window) now turn away: after a coordinator changed the need, their open offers go."""
    spec = need_spec(need)
    if spec is None:
        return set(volunteer_ids)
    rows = Volunteer.objects.filter(pk__in=volunteer_ids).values(*_FIT_FIELDS)
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
