"""Reads of the register: how fresh each group's contact is, and the coverage gaps (where need
outstrips the volunteers within reach)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from needs.models import Need
from reactivation.models import ReadinessCheck
from volunteers.geography import (
    CELL_FIELDS,
    CELL_SIDES_KM,
    cell_block,
    cell_centre,
    cell_parent,
    haversine_km,
)
from volunteers.map_layer import postcode_districts
from volunteers.models import MutualAidGroup, Volunteer
from volunteers.outlines import nearest_district


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
    cell_km: float  # the side of the cell: 1.6 km, or coarser where small cells were merged
    latitude: float  # the cell's centre: a place on a grid, never anyone's point
    longitude: float
    local_authority: str
    open_needs: int
    active_volunteers: int
    dormant_volunteers: int
    active_groups: int
    shortfall: int  # open needs beyond the active volunteers within reach: never negative
    places: int = 0  # how many places (200 m cells) the needs are at: a cluster counts once
    district: str = ""  # the postcode district nearest the place, to name it
    dormant_groups: list[dict[str, Any]] = field(default_factory=list)  # the suggested first wave

    @property
    def name(self) -> str:
        """The place in words, as people name it: "around B11, Birmingham" (never coordinates)."""
        where = self.local_authority or "an unknown council area"
        return f"around {self.district}, {where}" if self.district else where


COVERAGE_LEVEL = 3  # 1.6 km cells: about a neighbourhood


@dataclass(frozen=True)
class _GroupPlace:
    group: MutualAidGroup
    latitude: float
    longitude: float

    def km_from(self, latitude: float, longitude: float) -> float:
        return haversine_km(latitude, longitude, self.latitude, self.longitude)


@dataclass
class _Cell:
    """One place on the coverage map: a cell key at a level, the open needs in it (and the local
    authority most of them are in)."""

    level: int
    key: int
    needs: int = 0
    places: int = 0
    authorities: Counter[str] = field(default_factory=Counter)

    @property
    def centre(self) -> tuple[float, float]:
        return cell_centre(self.key, self.level)

    def add(self, other: _Cell) -> None:
        self.needs += other.needs
        self.places += other.places
        self.authorities.update(other.authorities)


def _volunteers_by_cell(cf: str) -> dict[int, dict[str, int]]:
    """Active and dormant volunteers in each cell (one query)."""
    return {
        r[cf]: {"active": r["active"], "dormant": r["dormant"]}
        for r in Volunteer.objects.exclude(**{cf: None})
        .values(cf)
        .annotate(
            active=Count("pk", filter=Q(status=Volunteer.Status.ACTIVE)),
            dormant=Count("pk", filter=Q(status=Volunteer.Status.DORMANT)),
        )
    }


def _counts_up(counts: dict[int, dict[str, int]]) -> dict[int, dict[str, int]]:
    """The same counts one level up (each parent cell sums its four children)."""
    parents: dict[int, dict[str, int]] = defaultdict(lambda: {"active": 0, "dormant": 0})
    for key, c in counts.items():
        parent = parents[cell_parent(key)]
        parent["active"] += c["active"]
        parent["dormant"] += c["dormant"]
    return dict(parents)


def _cells_with_open_needs(level: int) -> dict[int, _Cell]:
    """Each cell with open needs, counted in the database (one query: no need's point is read)."""
    cf = CELL_FIELDS[level]
    cells: dict[int, _Cell] = {}
    for row in (
        Need.objects.filter(status__in=[Need.Status.OPEN, Need.Status.OFFERED])
        .exclude(**{cf: None})
        .values(cf, "local_authority__name")
        # Needs at one place (the same 200 m cell: a block of flats, a care home) count once as a
        # place, with their number: a cluster is one place to reach, not many.
        .annotate(n=Count("id"), places=Count(CELL_FIELDS[0], distinct=True))
    ):
        cell = cells.setdefault(row[cf], _Cell(level, row[cf]))
        cell.needs += row["n"]
        cell.places += row["places"]
        cell.authorities[row["local_authority__name"] or ""] += row["n"]
    return cells


def _cells_merged(cells: dict[int, _Cell], *, min_needs: int) -> list[_Cell]:
    """Cells with at least ``min_needs`` open needs as they are; the needs of smaller cells merged
    into the cell one level up (then the next) until there are enough, or left out at the top: a
    count of one or two needs in a small cell would point at a door."""
    kept = [c for c in cells.values() if c.needs >= min_needs]
    small = [c for c in cells.values() if c.needs < min_needs]
    while small and small[0].level + 1 < len(CELL_SIDES_KM):
        parents: dict[int, _Cell] = {}
        for c in small:
            parent_key = cell_parent(c.key)
            parents.setdefault(parent_key, _Cell(c.level + 1, parent_key)).add(c)
        kept += [c for c in parents.values() if c.needs >= min_needs]
        small = [c for c in parents.values() if c.needs < min_needs]
    return kept


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


def _gap_at(
    cell: _Cell, *, vol_counts: dict[int, dict[str, int]], groups: list[_GroupPlace]
) -> CoverageGap | None:
    """The gap at one cell, or None when it is covered: the active volunteers within reach are
    at least as many as its open needs. ``vol_counts`` are the volunteers by cell at the cell's
    own level."""
    lat, lon = cell.centre
    side = CELL_SIDES_KM[cell.level]
    active = sum(vol_counts[k]["active"] for k in cell_block(lat, lon, cell.level) if k in vol_counts)
    dormant = vol_counts.get(cell.key, {}).get("dormant", 0)
    covering = [p for p in groups if p.km_from(lat, lon) <= p.group.radius_km + side / 2 + 0.2]
    active_groups = sum(1 for p in covering if p.group.status != MutualAidGroup.Status.DORMANT)
    if cell.needs <= active:
        return None  # covered: enough active hands within reach
    authority = cell.authorities.most_common(1)[0][0] if cell.authorities else ""
    return CoverageGap(
        cell=cell.key,
        cell_km=side,
        latitude=round(lat, 5),
        longitude=round(lon, 5),
        local_authority=authority or (covering[0].group.local_authority.name if covering else ""),
        open_needs=cell.needs,
        active_volunteers=active,
        dormant_volunteers=dormant,
        active_groups=active_groups,
        shortfall=cell.needs - active,
        places=cell.places,
        dormant_groups=[
            {
                "id": p.group.pk,
                "name": p.group.name,
                "slug": p.group.slug,
                "distance_km": round(p.km_from(lat, lon), 2),
            }
            for p in sorted(covering, key=lambda p: p.km_from(lat, lon))
            if p.group.status == MutualAidGroup.Status.DORMANT
        ],
    )


def coverage_gaps(
    *,
    level: int = COVERAGE_LEVEL,
    limit: int = 50,
    min_needs: int | None = None,
) -> list[CoverageGap]:
    """Places (spatial cells of about 2 km) where open needs outstrip the active volunteers within
    reach, ranked by the shortfall (needs beyond those volunteers; never negative), each named by
    its nearest postcode district and local authority, with the dormant groups whose area covers
    it (the suggested first wave).

    Volunteers "within reach" of a cell are those in it and the 8 cells around it. A place is a
    cell's centre, never a need's point; a cell with fewer than ``min_needs`` open needs
    (``COVERAGE_MIN_NEEDS``) is merged into a coarser one or left out (``_cells_merged``)."""
    min_needs = settings.COVERAGE_MIN_NEEDS if min_needs is None else min_needs
    counts_by_level = {level: _volunteers_by_cell(CELL_FIELDS[level])}
    for up in range(level + 1, len(CELL_SIDES_KM)):
        counts_by_level[up] = _counts_up(counts_by_level[up - 1])
    with_needs = _cells_with_open_needs(level)
    cells = _cells_merged(with_needs, min_needs=min_needs)
    groups = _groups_on_the_map()
    gaps = [
        gap
        for cell in cells
        if (gap := _gap_at(cell, vol_counts=counts_by_level[cell.level], groups=groups)) is not None
    ]
    gaps.sort(key=lambda g: (-g.shortfall, -g.open_needs, g.cell_km, g.cell))
    gaps = gaps[:limit]
    _districts_name(gaps)
    return gaps


def _districts_name(gaps: list[CoverageGap]) -> None:
    """Name each gap by the postcode district nearest its centre, within its local authority when
    the postcode table knows it (cached: no query once the map layer is built)."""
    if not gaps:
        return
    districts = postcode_districts()
    for gap in gaps:
        own = [d for d in districts if d.local_authority == gap.local_authority] or districts
        near = nearest_district(own, gap.latitude, gap.longitude)
        if near is not None:
            gap.district = near.name
            gap.local_authority = gap.local_authority or near.local_authority
