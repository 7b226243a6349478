"""A light base layer for maps that need no tile server, drawn from the postcode table: each local
authority's outline (the hull of its postcode points, with a margin), its name at its centre, and
each postcode district's centre and reach. Pure: no Django.

Hulls are an approximation of a council's boundary, not the boundary: with the whole ONS postcode
file loaded they follow it closely (except along concave stretches), with a handful of postcodes
they are rough. They are there so that a person can tell where a marker is, not to settle where a
boundary runs.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from volunteers.geography import MAX_SEARCH_RADIUS_KM, haversine_km

Point = tuple[float, float]  # (latitude, longitude)

KM_PER_DEGREE_LAT = 111.32
OUTLINE_MARGIN_KM = 0.6  # so that the postcodes on the hull sit inside the line, not on it
SMALLEST_REACH_KM = 1.0


@dataclass(frozen=True)
class AreaOutline:
    name: str
    outline: tuple[Point, ...]
    label: Point


@dataclass(frozen=True)
class DistrictCentre:
    name: str
    local_authority: str
    latitude: float
    longitude: float
    reach_km: float  # from the centre to its farthest postcode, rounded up to half a km


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[1] - o[1]) * (b[0] - o[0]) - (a[0] - o[0]) * (b[1] - o[1])


def hull(points: Iterable[Point]) -> list[Point]:
    """The convex hull (Andrew's monotone chain), anticlockwise, without repeating the first point.
    Fewer than three distinct points come back as they are."""
    unique = sorted({(round(lat, 5), round(lon, 5)) for lat, lon in points}, key=lambda p: (p[1], p[0]))
    if len(unique) < 3:
        return unique
    lower: list[Point] = []
    for p in unique:
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[Point] = []
    for p in reversed(unique):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _centre(points: list[Point]) -> Point:
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def _circle(centre: Point, radius_km: float, sides: int = 12) -> list[Point]:
    lat, lon = centre
    dlat = radius_km / KM_PER_DEGREE_LAT
    dlon = dlat / max(0.1, math.cos(math.radians(lat)))
    return [
        (lat + dlat * math.sin(2 * math.pi * i / sides), lon + dlon * math.cos(2 * math.pi * i / sides))
        for i in range(sides)
    ]


def outline_around(points: list[Point], *, margin_km: float = OUTLINE_MARGIN_KM) -> list[Point]:
    """The hull of ``points`` pushed out by ``margin_km`` from their centre; a small ring around
    one or two points."""
    corners = hull(points)
    centre = _centre(points)
    if len(corners) < 3:
        return [(round(a, 5), round(b, 5)) for a, b in _circle(centre, SMALLEST_REACH_KM)]
    scale = math.cos(math.radians(centre[0]))
    pushed = []
    for lat, lon in corners:
        north_km = (lat - centre[0]) * KM_PER_DEGREE_LAT
        east_km = (lon - centre[1]) * KM_PER_DEGREE_LAT * scale
        away = math.hypot(north_km, east_km) or 1.0
        grow = (away + margin_km) / away
        pushed.append(
            (round(centre[0] + (lat - centre[0]) * grow, 5), round(centre[1] + (lon - centre[1]) * grow, 5))
        )
    return pushed


def _reach(centre: Point, points: list[Point]) -> float:
    farthest = max(haversine_km(centre[0], centre[1], lat, lon) for lat, lon in points)
    rounded = math.ceil(max(farthest, SMALLEST_REACH_KM) * 2) / 2
    return min(rounded, MAX_SEARCH_RADIUS_KM)


def base_layer_build(
    rows: Iterable[tuple[str, str, float, float]],
) -> tuple[list[AreaOutline], list[DistrictCentre]]:
    """From ``(local authority name, postcode district, latitude, longitude)`` rows: each local
    authority's outline and label point, and each district's centre, by name. A district that
    crosses a boundary belongs to the local authority holding most of its postcodes."""
    by_area: dict[str, list[Point]] = defaultdict(list)
    by_district: dict[str, list[Point]] = defaultdict(list)
    district_area: dict[str, Counter[str]] = defaultdict(Counter)
    for area, district, lat, lon in rows:
        by_area[area].append((lat, lon))
        by_district[district].append((lat, lon))
        district_area[district][area] += 1
    areas = [
        AreaOutline(name=name, outline=tuple(outline_around(points)), label=_rounded(_centre(points)))
        for name, points in sorted(by_area.items())
    ]
    districts = []
    for name, points in sorted(by_district.items(), key=lambda item: _district_order(item[0])):
        centre = _centre(points)
        districts.append(
            DistrictCentre(
                name=name,
                local_authority=district_area[name].most_common(1)[0][0],
                latitude=round(centre[0], 5),
                longitude=round(centre[1], 5),
                reach_km=_reach(centre, points),
            )
        )
    return areas, districts


def _rounded(point: Point) -> Point:
    return round(point[0], 5), round(point[1], 5)


def _district_order(name: str) -> tuple[str, int, str]:
    """B2 before B10: the letters, then the number, then any trailing letter (WC1A)."""
    match = re.match(r"^([A-Z]+)(\d*)(.*)$", name)
    if match is None:
        return name, 0, ""
    return match.group(1), int(match.group(2) or 0), match.group(3)


def nearest_district(
    districts: list[DistrictCentre], latitude: float, longitude: float
) -> DistrictCentre | None:
    """The district whose centre is nearest the point (to name a place a person clicked)."""
    if not districts:
        return None
    return min(districts, key=lambda d: haversine_km(latitude, longitude, d.latitude, d.longitude))
