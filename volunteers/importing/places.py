"""Where an import's rows are: postcodes geocoded in chunks, points given their council in bulk."""

from __future__ import annotations

from volunteers.geocoding import GeocodeError, Place, geocode_postcodes, local_authority_near
from volunteers.importing.rows import VolunteerRow
from volunteers.models import Postcode

GEOCODE_CHUNK = 2000
NEAR_LAT, NEAR_LON = 0.03, 0.048  # the window of geocoding.local_authority_near (about 3 km)

Point = tuple[float, float]


def point_key(latitude: float, longitude: float) -> Point:
    """A point rounded to about 100 m: the key councils_near answers for."""
    return round(latitude, 3), round(longitude, 3)


def places_find(rows: list[VolunteerRow]) -> tuple[dict[str, Place | GeocodeError], dict[Point, int | None]]:
    """The rows' postcodes geocoded (in chunks), and the council near each point given instead,
    by ``point_key``."""
    postcodes = sorted({row.postcode for row in rows if not row.has_point})
    places: dict[str, Place | GeocodeError] = {}
    for start in range(0, len(postcodes), GEOCODE_CHUNK):
        places.update(geocode_postcodes(postcodes[start : start + GEOCODE_CHUNK]))
    points = {
        point_key(row.latitude, row.longitude)
        for row in rows
        if row.latitude is not None and row.longitude is not None
    }
    return places, councils_near(points)


def councils_near(points: set[Point]) -> dict[Point, int | None]:
    """The council of the nearest known postcode within about 3 km of each point, for many points
    in one query (local_authority_near does one point per query: 10,000 points took seconds)."""
    if len(points) < 20:
        return {p: local_authority_near(*p) for p in points}
    buckets = _postcodes_by_bucket(points)
    return {point: _nearest_council(point, buckets) for point in points}


Bucket = tuple[int, int]


def _bucket(latitude: float, longitude: float) -> Bucket:
    return int(latitude // NEAR_LAT), int(longitude // NEAR_LON)


def _postcodes_by_bucket(points: set[Point]) -> dict[Bucket, list[tuple[float, float, int]]]:
    """The known postcodes (with a council) around ``points``, by bucket of the search window."""
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    buckets: dict[Bucket, list[tuple[float, float, int]]] = {}
    rows = Postcode.objects.filter(
        latitude__range=(min(lats) - NEAR_LAT, max(lats) + NEAR_LAT),
        longitude__range=(min(lons) - NEAR_LON, max(lons) + NEAR_LON),
        local_authority__isnull=False,
    ).values_list("latitude", "longitude", "local_authority")
    for lat, lon, la in rows.iterator(chunk_size=20000):
        buckets.setdefault(_bucket(lat, lon), []).append((lat, lon, la))
    return buckets


def _nearest_council(point: Point, buckets: dict[Bucket, list[tuple[float, float, int]]]) -> int | None:
    lat, lon = point
    row, col = _bucket(lat, lon)
    best, best_d = None, None
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            for plat, plon, la in buckets.get((row + dr, col + dc), ()):
                if abs(plat - lat) > NEAR_LAT or abs(plon - lon) > NEAR_LON:
                    continue
                d = (plat - lat) ** 2 + ((plon - lon) * 0.61) ** 2
                if best_d is None or d < best_d:
                    best, best_d = la, d
    return best
