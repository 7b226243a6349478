"""Reads of the register: how fresh each group's contact is, and the coverage gaps (where need
outstrips the volunteers within reach)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from needs.models import Need
from reactivation.models import ReadinessCheck
from volunteers.geography import cell_block, haversine_km
from volunteers.models import MutualAidGroup, Volunteer


@dataclass(frozen=True)
class GroupFreshness:
    group: MutualAidGroup
    freshness: str  # fresh | due | stale | never
    days_since_verified: int | None
    open_check: bool


def register_freshness(*, groups: QuerySet[MutualAidGroup] | None = None, now=None) -> list[GroupFreshness]:
    """How fresh each group's contact is, so the memory does not rot silently: fresh (verified
    within the check interval), due, stale (missed two checks) or never verified."""
    now = now or timezone.now()
    interval = settings.REACTIVATION_READINESS_INTERVAL_DAYS
    stale_after = settings.REACTIVATION_STALE_AFTER_MISSES
    groups = (
        groups if groups is not None else MutualAidGroup.objects.exclude(status=MutualAidGroup.Status.RETIRED)
    )
    groups = groups.select_related("local_authority").annotate(
        open_checks=Count(
            "readiness_checks", filter=Q(readiness_checks__answer=ReadinessCheck.Answer.PENDING)
        )
    )
    out = []
    for g in groups:
        days = (now - g.last_verified_at).days if g.last_verified_at else None
        if g.missed_checks >= stale_after:
            freshness = "stale"
        elif days is None:
            freshness = "never"
        elif days <= interval:
            freshness = "fresh"
        else:
            freshness = "due"
        out.append(GroupFreshness(g, freshness, days, bool(g.open_checks)))
    return out


def groups_of_freshness(*, groups: QuerySet[MutualAidGroup], freshness: str) -> QuerySet[MutualAidGroup]:
    """The groups among ``groups`` whose contact has this freshness. ``register_freshness`` is the
    one definition of it; a region has hundreds or a few thousand groups, so reading them all
    once is cheap and keeps the rule in one place."""
    ids = [row.group.pk for row in register_freshness(groups=groups) if row.freshness == freshness]
    return groups.filter(pk__in=ids)


def register_freshness_by_group(*, groups: Iterable[MutualAidGroup]) -> dict[int, GroupFreshness]:
    """The freshness of each of these groups (a page of them), by group id, in one query."""
    page = MutualAidGroup.objects.filter(pk__in=[g.pk for g in groups])
    return {row.group.pk: row for row in register_freshness(groups=page)}


@dataclass
class CoverageGap:
    cell: int
    latitude: float
    longitude: float
    local_authority: str
    open_needs: int
    active_volunteers: int
    dormant_volunteers: int
    active_groups: int
    score: float
    dormant_groups: list[dict[str, Any]] = field(default_factory=list)  # the suggested first wave


COVERAGE_LEVEL = 3  # 1.6 km cells: about a neighbourhood


@dataclass(frozen=True)
class _GroupPlace:
    group: MutualAidGroup
    latitude: float
    longitude: float

    def km_from(self, latitude: float, longitude: float) -> float:
        return haversine_km(latitude, longitude, self.latitude, self.longitude)


def _volunteers_by_cell(cf: str) -> dict[int, Mapping[str, Any]]:
    """Active and dormant volunteers in each cell (one query)."""
    return {
        r[cf]: r
        for r in Volunteer.objects.exclude(**{cf: None})
        .values(cf)
        .annotate(
            active=Count("pk", filter=Q(status=Volunteer.Status.ACTIVE)),
            dormant=Count("pk", filter=Q(status=Volunteer.Status.DORMANT)),
        )
    }


def _cells_with_open_needs(cf: str) -> dict[int, dict[str, Any]]:
    """Each cell with open needs: how many, where they are on average and their local authority."""
    cells: dict[int, dict[str, Any]] = {}
    for n in (
        Need.objects.filter(status__in=[Need.Status.OPEN, Need.Status.OFFERED])
        .exclude(**{cf: None})
        .values(cf, "latitude", "longitude", "local_authority__name")
    ):
        c = cells.setdefault(
            n[cf], {"needs": 0, "lat": 0.0, "lon": 0.0, "la": n["local_authority__name"] or ""}
        )
        c["needs"] += 1
        c["lat"] += n["latitude"]
        c["lon"] += n["longitude"]
    for c in cells.values():
        c["lat"] /= c["needs"]
        c["lon"] /= c["needs"]
    return cells


def _groups_on_the_map() -> list[_GroupPlace]:
    """Active, dormant and reactivating groups with a place (one query)."""
    groups = (
        MutualAidGroup.objects.exclude(latitude=None)
        .filter(
            status__in=[
                MutualAidGroup.Status.ACTIVE,
                MutualAidGroup.Status.DORMANT,
                MutualAidGroup.Status.REACTIVATING,
            ]
        )
        .select_related("local_authority")
    )
    return [
        _GroupPlace(g, g.latitude, g.longitude)
        for g in groups
        if g.latitude is not None and g.longitude is not None
    ]


def _busy_cells_without_needs(
    cf: str,
    *,
    vol_counts: dict[int, Mapping[str, Any]],
    cells: dict[int, dict[str, Any]],
    min_volunteers: int,
) -> dict[int, dict[str, Any]]:
    """Cells where at least ``min_volunteers`` live but no need is open, placed at the mean of
    their volunteers (one query, none when there is no such cell)."""
    busy = [
        k for k, r in vol_counts.items() if r["active"] + r["dormant"] >= min_volunteers and k not in cells
    ]
    if not busy:
        return {}
    return {
        r[cf]: {"needs": 0, "lat": r["lat"], "lon": r["lon"], "la": ""}
        for r in Volunteer.objects.filter(**{f"{cf}__in": busy})
        .values(cf)
        .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
    }


def _gap_at(
    key: int,
    c: dict[str, Any],
    *,
    level: int,
    vol_counts: dict[int, Mapping[str, Any]],
    groups: list[_GroupPlace],
) -> CoverageGap | None:
    """The gap at one cell, or None when it is covered: a working group is near and there are
    enough active hands within reach for its needs (or it has no need at all)."""
    # The mean of points in a cell lies in that cell, so its block is the cell's block.
    block = cell_block(c["lat"], c["lon"], level)
    active = sum(vol_counts[k]["active"] for k in block if k in vol_counts)
    dormant = vol_counts.get(key, {}).get("dormant", 0)
    covering = [p for p in groups if p.km_from(c["lat"], c["lon"]) <= p.group.radius_km + 1.0]
    active_groups = sum(1 for p in covering if p.group.status != MutualAidGroup.Status.DORMANT)
    if active_groups and c["needs"] <= active:
        return None  # covered: a working group and enough hands nearby
    score = c["needs"] - active / 3 + (0 if active_groups else 1) + dormant / 100
    if c["needs"] == 0 and active_groups:
        return None
    return CoverageGap(
        cell=key,
        latitude=round(c["lat"], 5),
        longitude=round(c["lon"], 5),
        local_authority=c["la"] or (covering[0].group.local_authority.name if covering else ""),
        open_needs=c["needs"],
        active_volunteers=active,
        dormant_volunteers=dormant,
        active_groups=active_groups,
        score=round(score, 2),
        dormant_groups=[
            {
                "id": p.group.pk,
                "name": p.group.name,
                "slug": p.group.slug,
                "distance_km": round(p.km_from(c["lat"], c["lon"]), 2),
            }
            for p in sorted(covering, key=lambda p: p.km_from(c["lat"], c["lon"]))
            if p.group.status == MutualAidGroup.Status.DORMANT
        ],
    )


def coverage_gaps(
    *, level: int = COVERAGE_LEVEL, limit: int = 50, min_volunteers: int = 20
) -> list[CoverageGap]:
    """Places (spatial cells of about 2 km) where open needs outstrip the active volunteers within
    reach, or where many volunteers live but no active group works: ranked worst first, each
    with the dormant groups whose area covers it (the suggested first wave).

    Volunteers "within reach" of a cell are those in it and the 8 cells around it."""
    cf = f"cell_{level}"
    vol_counts = _volunteers_by_cell(cf)
    cells = _cells_with_open_needs(cf)
    groups = _groups_on_the_map()
    # Cells with many volunteers but no open need are gaps too when no active group is there.
    cells.update(
        _busy_cells_without_needs(cf, vol_counts=vol_counts, cells=cells, min_volunteers=min_volunteers)
    )
    gaps = [
        gap
        for key, c in cells.items()
        if (gap := _gap_at(key, c, level=level, vol_counts=vol_counts, groups=groups)) is not None
    ]
    gaps.sort(key=lambda g: (-g.score, -g.open_needs, g.cell))
    return gaps[:limit]
