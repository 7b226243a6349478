"""The database side of the matcher: the ring search over the multi-level cells.

Every located volunteer carries one cell key per level (volunteers.geography.CELL_SIDES_KM). The
grid's projection never makes a distance longer than it is, so the 3x3 block of cells around a
point at level L holds every volunteer within ``CELL_SIDES_KM[L]`` km of it. The search starts at
the smallest level and goes up one level at a time until the answer is exact: enough eligible
volunteers lie within one cell side, or the side covers the need's whole radius. Dense central
Birmingham stops at 0.2-0.8 km; a thin rural edge goes up to the radius.

Queries per match: one per level visited (at most ``len(CELL_SIDES_KM)``), plus one for the
offer history of the final rows. Nothing depends on the number of volunteers in the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from geopy.distance import geodesic

from messaging.models import OptOut
from needs.matching.ranking import (
    BAND_KM,
    DBS_ORDER,
    Candidate,
    NeedSpec,
    VolunteerRow,
    candidates_rank,
    dbs_rank,
    distance_band,
    exclusion_reason,
)
from needs.models import Need, Offer
from volunteers.geography import CELL_SIDES_KM, cell_block, haversine_km
from volunteers.models import Volunteer

MAX_RADIUS_KM = CELL_SIDES_KM[-1]
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


def need_spec(need: Need) -> NeedSpec:
    return NeedSpec(
        latitude=need.latitude,
        longitude=need.longitude,
        radius_km=min(need.search_radius_km, MAX_RADIUS_KM),
        requires_dbs=need.requires_dbs,
        needs_car=need.needs_car,
        language=need.language,
        window_start=need.window_start,
        window_end=need.window_end,
        on_date=None if (need.window_start or need.window_end) else timezone.localdate(),
    )


def _level_queryset(*, need: Need | None, spec: NeedSpec, level: int):
    """Active, reachable, not opted out, not yet offered this need, and the cheap rules in SQL."""
    block = cell_block(spec.latitude, spec.longitude, level)
    open_assignments = (
        Need.objects.filter(assigned_volunteer=OuterRef("pk"), status=Need.Status.ASSIGNED)
        .order_by()
        .values("assigned_volunteer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = (
        Volunteer.objects.filter(**{f"cell_{level}__in": block}, phone_unreachable_at__isnull=True)
        # The status test is written as a literal, not a bound parameter: SQLite only uses a partial
        # index (``WHERE status = 'active'``) when the query repeats its condition literally.
        .extra(where=[f"{Volunteer._meta.db_table}.status = '{Volunteer.Status.ACTIVE.value}'"])  # noqa: S610
        .filter(~Exists(OptOut.objects.filter(phone=OuterRef("phone"))))
    )
    if need is not None and need.pk:
        qs = qs.filter(~Exists(Offer.objects.filter(need_id=need.pk, volunteer_id=OuterRef("pk"))))
    if spec.requires_dbs != "none":
        qs = qs.filter(dbs_level__in=DBS_ORDER[dbs_rank(spec.requires_dbs) :])
        if spec.dbs_day is not None:
            qs = qs.filter(Q(dbs_expires_on__isnull=True) | Q(dbs_expires_on__gte=spec.dbs_day))
    if spec.needs_car:
        qs = qs.filter(has_car=True)
    qs = qs.annotate(
        open_assignments=Coalesce(Subquery(open_assignments, output_field=IntegerField()), Value(0))
    ).filter(open_assignments__lt=F("max_open_assignments"))
    return qs.order_by().values_list(*_ROW_FIELDS, "open_assignments")


def _history(ids: list[int], *, now: datetime) -> dict[int, dict[str, int]]:
    """Offers made, accepted, completed, and tasks in the last 30 days, per volunteer (one query)."""
    if not ids:
        return {}
    since = now - timedelta(days=RECENT_DAYS)
    accepted = Q(status=Offer.Status.ACCEPTED)
    rows = (
        Offer.objects.filter(volunteer_id__in=ids)
        .order_by()
        .values("volunteer_id")
        .annotate(
            offers_made=Count("pk"),
            accepted=Count("pk", filter=accepted),
            completed=Count("pk", filter=accepted & Q(completed_at__isnull=False)),
            recent_tasks=Count("pk", filter=accepted & Q(responded_at__gte=since)),
        )
    )
    return {r.pop("volunteer_id"): r for r in rows}


def candidates_find(
    *, need: Need, limit: int = 10, spec: NeedSpec | None = None, now: datetime | None = None
) -> MatchResult:
    """The best ``limit`` eligible volunteers for ``need``, ranked and explained.

    A need with no place has no candidates (need_create refuses such needs anyway).
    """
    now = now or timezone.now()
    spec = spec or need_spec(need)
    if spec.latitude is None or spec.longitude is None or limit <= 0:
        return MatchResult([], 0, 0.0, 0)
    eligible: list[VolunteerRow] = []
    excluded: dict[str, int] = {}
    level, side, fetched = 0, CELL_SIDES_KM[0], 0
    for level, side in enumerate(CELL_SIDES_KM):
        rows = list(_level_queryset(need=need, spec=spec, level=level))
        fetched = len(rows)
        eligible, excluded = [], {}
        for values in rows:
            row = VolunteerRow(*values)
            row.distance_km = haversine_km(spec.latitude, spec.longitude, row.latitude, row.longitude)
            reason = exclusion_reason(spec, row)
            if reason is None:
                eligible.append(row)
            else:
                key = reason.split(",")[0] if "km away" in reason else reason
                excluded[key] = excluded.get(key, 0) + 1
        if side >= spec.radius_km:
            break  # the block holds the whole radius: nothing further can qualify
        # Exact once ``limit`` eligible rows lie within one cell side: the block holds them all.
        if sum(1 for r in eligible if r.distance_km <= side) >= limit:
            break
    if side < spec.radius_km:
        # Rows in the block's corners beyond one side are an incomplete sample: leave them out, so
        # the answer is exactly "the best among everyone within searched_km".
        eligible = [r for r in eligible if r.distance_km <= side]
    eligible.sort(key=lambda r: r.distance_km)
    if len(eligible) > limit:
        # Keep the limit-th row's whole distance band, so fairness can reorder near-equals.
        cutoff = (distance_band(eligible[limit - 1].distance_km) + 1) * BAND_KM
        # Bounded too: in a dense centre a band can hold hundreds; near-equals beyond that are moot.
        eligible = [r for r in eligible if r.distance_km < cutoff][: max(limit * 5, 50)]
    searched_km = min(side, spec.radius_km)
    history = _history([r.id for r in eligible], now=now)
    for row in eligible:
        for name, value in history.get(row.id, {}).items():
            setattr(row, name, value)
        # The exact geodesic on the final few; haversine (within 0.5%) did the searching.
        row.distance_km = geodesic((spec.latitude, spec.longitude), (row.latitude, row.longitude)).km
    ranked = candidates_rank(
        [r for r in eligible if r.distance_km <= min(spec.radius_km, r.max_travel_km)], limit=limit
    )
    return MatchResult(ranked, level, searched_km, fetched, excluded)
