"""Geography with no Django in it: the UK's bounds, distances and spatial cells.

Spatial cells: every located row carries one integer key per level of a square grid (sides of
0.2, 0.4, ... 25.6 km). The grid is laid on an equirectangular projection whose east-west scale is
taken at the UK's northern edge, so a projected distance is never longer than the true one: every
row within ``side`` km of a point lies in the 3x3 block of cells around it, at any UK latitude.
That is what lets the matcher fetch a small block and still be exact (docs in needs/matching).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Postcodes' shapes live in volunteers.postcode_shapes; named here too, where callers found them.
from volunteers.postcode_shapes import PostcodeError as PostcodeError
from volunteers.postcode_shapes import postcode_district as postcode_district
from volunteers.postcode_shapes import postcode_is_district as postcode_is_district
from volunteers.postcode_shapes import postcode_normalise as postcode_normalise

# --- the UK -----------------------------------------------------------------------------------
# A generous box around Great Britain, Northern Ireland, the Channel Islands and Shetland.
UK_MIN_LAT, UK_MAX_LAT = 49.8, 60.95
UK_MIN_LON, UK_MAX_LON = -8.7, 1.8


class LocationError(ValueError):
    """A place that cannot be used; the message says why in plain words."""


def location_validate(latitude: float | str | None, longitude: float | str | None) -> tuple[float, float]:
    """Return (lat, lon) as floats, or raise LocationError if missing, malformed or not in the UK.

    Takes numbers or the text a form or a file gave (blank counts as missing)."""
    if latitude is None or longitude is None or latitude == "" or longitude == "":
        raise LocationError("both latitude and longitude are needed")
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise LocationError(
            f"latitude and longitude must be numbers, not {latitude!r}, {longitude!r}"
        ) from None
    if math.isnan(lat) or math.isnan(lon):
        raise LocationError("latitude and longitude must be numbers")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise LocationError(f"({lat}, {lon}) is not a place on Earth")
    if not (UK_MIN_LAT <= lat <= UK_MAX_LAT and UK_MIN_LON <= lon <= UK_MAX_LON):
        raise LocationError(f"({lat:.4f}, {lon:.4f}) is outside the UK")
    return lat, lon


# --- distance ---------------------------------------------------------------------------------
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; within 0.5% of the geodesic, good for ranking and rings."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


# --- spatial cells ----------------------------------------------------------------------------
KM_PER_DEG_LAT = 111.32
# East-west scale at the UK's northern edge: the smallest anywhere in the UK, so projected
# east-west distances never exceed true ones (see the module docstring).
KM_PER_DEG_LON = KM_PER_DEG_LAT * math.cos(math.radians(UK_MAX_LAT))
ORIGIN_LAT, ORIGIN_LON = UK_MIN_LAT - 1.0, UK_MIN_LON - 1.0
CELL_SIDES_KM: tuple[float, ...] = (0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6)
# The widest search the matcher's cells answer exactly: needs and campaign circles stay within it.
MAX_SEARCH_RADIUS_KM = CELL_SIDES_KM[-1]
CELL_FIELDS: tuple[str, ...] = tuple(f"cell_{i}" for i in range(len(CELL_SIDES_KM)))
# Column count is fixed per level so a key is row * stride + column (fits a 32-bit integer).
CELL_COL_STRIDE = 100_000


@dataclass(frozen=True)
class Cell:
    row: int
    col: int

    def key(self) -> int:
        return self.row * CELL_COL_STRIDE + self.col


def _project(lat: float, lon: float) -> tuple[float, float]:
    return (lat - ORIGIN_LAT) * KM_PER_DEG_LAT, (lon - ORIGIN_LON) * KM_PER_DEG_LON


def cell_at(lat: float, lon: float, level: int) -> Cell:
    y, x = _project(lat, lon)
    side = CELL_SIDES_KM[level]
    return Cell(int(y // side), int(x // side))


def cell_keys(lat: float, lon: float) -> tuple[int, ...]:
    """One key per level, for storing in the ``cell_0`` .. ``cell_7`` columns."""
    y, x = _project(lat, lon)
    return tuple(int(y // side) * CELL_COL_STRIDE + int(x // side) for side in CELL_SIDES_KM)


def cell_fields(lat: float | None, lon: float | None) -> dict[str, int | None]:
    """The cell columns for a row at (lat, lon), all None for a row with no place."""
    if lat is None or lon is None:
        return dict.fromkeys(CELL_FIELDS)
    return dict(zip(CELL_FIELDS, cell_keys(lat, lon), strict=True))


def cell_block(lat: float, lon: float, level: int) -> list[int]:
    """The keys of the 3x3 block of cells around (lat, lon) at ``level``."""
    centre = cell_at(lat, lon, level)
    return [Cell(centre.row + dr, centre.col + dc).key() for dr in (-1, 0, 1) for dc in (-1, 0, 1)]


def cell_level_of(side_km: float) -> int:
    """The level whose cells have this side (one of ``CELL_SIDES_KM``); ValueError otherwise."""
    for level, side in enumerate(CELL_SIDES_KM):
        if math.isclose(side, side_km):
            return level
    raise ValueError(f"{side_km} km is not a cell side; choose one of {CELL_SIDES_KM}")


def cell_split(key: int) -> Cell:
    """The row and column of a stored cell key (any level)."""
    return Cell(key // CELL_COL_STRIDE, key % CELL_COL_STRIDE)


def cell_parent(key: int) -> int:
    """The key of the cell one level up that holds this one (sides double and share the origin,
    so the parent of row r, column c is row r // 2, column c // 2)."""
    cell = cell_split(key)
    return Cell(cell.row // 2, cell.col // 2).key()


def cell_centre(key: int, level: int) -> tuple[float, float]:
    """(lat, lon) of the centre of a cell, from its key: a place on a grid, not anyone's point."""
    cell = cell_split(key)
    side = CELL_SIDES_KM[level]
    return (
        ORIGIN_LAT + (cell.row + 0.5) * side / KM_PER_DEG_LAT,
        ORIGIN_LON + (cell.col + 0.5) * side / KM_PER_DEG_LON,
    )


def point_snap(lat: float, lon: float, level: int) -> tuple[float, float]:
    """The centre of the cell at ``level`` that holds (lat, lon), to 5 decimals: what someone who
    may not see a row's details is shown instead of its point."""
    centre_lat, centre_lon = cell_centre(cell_at(lat, lon, level).key(), level)
    return round(centre_lat, 5), round(centre_lon, 5)
