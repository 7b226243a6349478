"""Where a campaign runs: an area read from a request and checked against what the organisation
covers, and the people, their dormant groups and the open needs in it (a circle is pre-filtered
by spatial cells; the exact distance is the plan's business). Reads only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet

from messaging.models import OptOut
from needs.models import Need
from reactivation.models import CampaignRecipient
from volunteers.geography import (
    CELL_FIELDS,
    CELL_SIDES_KM,
    LocationError,
    cell_block,
    location_validate,
)
from volunteers.models import LocalAuthority, Membership, MutualAidGroup, Organisation, Volunteer
from volunteers.services import local_authorities_resolve


@dataclass(frozen=True)
class Area:
    label: str
    local_authorities: tuple[LocalAuthority, ...]  # what the organisation may reach here
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None

    @property
    def is_circle(self) -> bool:
        return self.radius_km is not None

    @property
    def circle(self) -> tuple[float, float, float] | None:
        """(latitude, longitude, radius_km) of a circle; None for whole local authorities."""
        if self.latitude is None or self.longitude is None or self.radius_km is None:
            return None
        return self.latitude, self.longitude, self.radius_km

    def as_json(self) -> dict[str, Any]:
        if self.is_circle:
            return {"latitude": self.latitude, "longitude": self.longitude, "radius_km": self.radius_km}
        return {"local_authorities": [la.name for la in self.local_authorities]}


def _kilometres(value: Any) -> float:
    """A number of kilometres; TypeError or ValueError (as from ``float``) when it is not one."""
    if value is None:
        raise TypeError("no number")
    return float(value)


def area_resolve(*, area: dict[str, Any], organisation: Organisation) -> Area:
    """Read an area and refuse what the organisation does not cover (clear error, nothing written)."""
    covered = list(organisation.local_authorities.order_by("name"))
    covered_names = ", ".join(la.name for la in covered) or "nowhere yet"
    if not isinstance(area, dict):
        raise ValidationError(
            'An area is {"latitude", "longitude", "radius_km"} or {"local_authorities": [...]}.'
        )
    if area.get("local_authorities"):
        names = area["local_authorities"]
        if isinstance(names, str):
            names = [names]
        wanted = local_authorities_resolve(names=names)
        refused = [la.name for la in wanted if la not in covered]
        if refused:
            raise ValidationError(
                f"{organisation.name} does not cover {', '.join(refused)}; it covers {covered_names}."
            )
        return Area(label=", ".join(la.name for la in wanted), local_authorities=tuple(wanted))
    try:
        lat, lon = location_validate(area.get("latitude"), area.get("longitude"))
        radius = _kilometres(area.get("radius_km"))
    except LocationError as exc:
        raise ValidationError(f"The area's centre cannot be used: {exc}.") from None
    except (TypeError, ValueError):
        raise ValidationError("radius_km must be a number of kilometres.") from None
    if not 0 < radius <= CELL_SIDES_KM[-1]:
        raise ValidationError(f"radius_km must be above 0 and at most {CELL_SIDES_KM[-1]:g}.")
    if not covered:
        raise ValidationError(f"{organisation.name} covers no local authority, so it cannot run a campaign.")
    return Area(
        label=f"{radius:g} km around {lat:.4f}, {lon:.4f}",
        local_authorities=tuple(covered),
        latitude=lat,
        longitude=lon,
        radius_km=radius,
    )


def _cell_level(radius_km: float) -> int:
    return next(i for i, side in enumerate(CELL_SIDES_KM) if side >= radius_km)


def _cells_around(circle: tuple[float, float, float]) -> dict[str, list[int]]:
    """A filter on the spatial cells that cover the circle (it still needs the exact distance)."""
    latitude, longitude, radius_km = circle
    level = _cell_level(radius_km)
    return {f"{CELL_FIELDS[level]}__in": cell_block(latitude, longitude, level)}


def area_volunteers(*, area: Area) -> QuerySet[Volunteer]:
    """Volunteers in the area, as a queryset (the circle is pre-filtered by spatial cells)."""
    if area.circle is not None:
        return Volunteer.objects.filter(**_cells_around(area.circle))
    return Volunteer.objects.filter(local_authority__in=area.local_authorities)


def area_needs(*, area: Area) -> QuerySet[Need]:
    open_needs = Need.objects.filter(status__in=[Need.Status.OPEN, Need.Status.OFFERED])
    if area.circle is not None:
        return open_needs.filter(**_cells_around(area.circle))
    return open_needs.filter(local_authority__in=area.local_authorities)


def area_need_places(*, area: Area) -> list[tuple[float, float]]:
    """Where the open needs in the area are (those with a place: the model sets both or neither)."""
    places = area_needs(area=area).exclude(latitude=None).values_list("latitude", "longitude")
    return [(lat, lon) for lat, lon in places if lat is not None and lon is not None]


def area_people_rows(
    *, area: Area, now: datetime, overlap_hours: int, exclude_campaign_id: int | None
) -> list[Mapping[str, Any]]:
    """The area's people with what a campaign's plan decides on, in one query: among it whether
    they opted out and whether another campaign texted them within ``overlap_hours``."""
    recent = CampaignRecipient.objects.filter(
        volunteer=OuterRef("pk"), messaged_at__gte=now - timedelta(hours=overlap_hours)
    )
    if exclude_campaign_id is not None:
        recent = recent.exclude(campaign_id=exclude_campaign_id)
    return list(
        area_volunteers(area=area)
        .annotate(
            opted=Exists(OptOut.objects.filter(phone=OuterRef("phone"))),
            other_campaign=Exists(recent),
        )
        .values(
            "id",
            "name",
            "status",
            "consent_at",
            "phone_unreachable_at",
            "latitude",
            "longitude",
            "local_authority_id",
            "local_authority__name",
            "skills",
            "languages",
            "preferred_language",
            "opted",
            "other_campaign",
        )
    )


def area_dormant_memberships(
    *, area: Area
) -> tuple[dict[int, list[Mapping[str, Any]]], dict[int, str], dict[int, str]]:
    """Memberships of dormant groups of the area's people, by volunteer, in one query; with each
    group's name and its organiser's first name."""
    memberships: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    group_names: dict[int, str] = {}
    group_organiser: dict[int, str] = {}
    for m in Membership.objects.filter(
        group__status=MutualAidGroup.Status.DORMANT, volunteer__in=area_volunteers(area=area).values("pk")
    ).values(
        "volunteer_id",
        "volunteer__name",
        "group_id",
        "group__name",
        "group__kind",
        "group__missed_checks",
        "role",
    ):
        memberships[m["volunteer_id"]].append(m)
        group_names[m["group_id"]] = m["group__name"]
        if m["role"] == Membership.Role.ORGANISER:
            group_organiser[m["group_id"]] = (m["volunteer__name"] or "").split(" ")[0]
    return memberships, group_names, group_organiser
