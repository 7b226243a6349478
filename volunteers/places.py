"""Places for people who may not see a row's details: shown and searched by cell, never by point.

A search by area answers "is this row within r km of here?". Asked of the stored point, a run of
such questions (a binary search on the centre, or on a tiny radius) recovers the point itself: it
did, in 69 requests. So for a reader who may not see a row's details the question is asked of the
centre of the row's cell (``PRIVACY_CELL_KM``) instead: every point in one cell gives the same
answers to every search, and no run of searches can tell them apart. The point shown to such a
reader is that same centre. Rows the reader may see in full (``exact``) are searched by their point.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Cast

from core.api.filters import within_circle
from volunteers.geography import (
    CELL_COL_STRIDE,
    CELL_FIELDS,
    KM_PER_DEG_LAT,
    KM_PER_DEG_LON,
    ORIGIN_LAT,
    ORIGIN_LON,
    cell_level_of,
    point_snap,
)


def privacy_level() -> int:
    """The cell level whose side is ``PRIVACY_CELL_KM``."""
    return cell_level_of(settings.PRIVACY_CELL_KM)


def place_shown(
    latitude: float | None, longitude: float | None, *, exact: bool
) -> tuple[float | None, float | None]:
    """The point to show: the stored one to a reader who may see the row's details, else the
    centre of its cell (None for a row with no place)."""
    if latitude is None or longitude is None:
        return None, None
    if exact:
        return latitude, longitude
    return point_snap(latitude, longitude, privacy_level())


def within_circle_by_cell(
    queryset: QuerySet[Any],
    *,
    latitude: float,
    longitude: float,
    radius_km: float,
    exact: Q | None = None,
) -> QuerySet[Any]:
    """Rows whose cell centre (at ``PRIVACY_CELL_KM``) lies within ``radius_km`` of the point; rows
    matching ``exact`` (those the reader may see in full) are tested on their own point instead.

    The same equirectangular distance as ``core.api.filters.within_circle``, in SQL on any
    database: the cell's row and column come from its stored key by integer arithmetic.
    """
    level = privacy_level()
    side = settings.PRIVACY_CELL_KM
    field = CELL_FIELDS[level]
    kx = 111.32 * math.cos(math.radians(latitude))
    ky = 110.57
    # A cell is at most 1.3 sides wide in true km at UK latitudes: pad the indexed box by 1.5.
    pad = radius_km + 1.5 * side
    row = F(field) / Value(CELL_COL_STRIDE)
    col = F(field) - row * Value(CELL_COL_STRIDE)
    centre_lat = Value(ORIGIN_LAT + 0.5 * side / KM_PER_DEG_LAT) + row * Value(side / KM_PER_DEG_LAT)
    centre_lon = Value(ORIGIN_LON + 0.5 * side / KM_PER_DEG_LON) + col * Value(side / KM_PER_DEG_LON)
    dy = Cast(centre_lat, FloatField()) - Value(latitude)
    dx = Cast(centre_lon, FloatField()) - Value(longitude)
    near = queryset.filter(
        latitude__gte=latitude - pad / ky,
        latitude__lte=latitude + pad / ky,
        longitude__gte=longitude - pad / kx,
        longitude__lte=longitude + pad / kx,
    )
    by_cell = Q(_cell_d2__lte=radius_km * radius_km)
    if exact is not None:
        by_point = within_circle(near, latitude=latitude, longitude=longitude, radius_km=radius_km)
        by_cell = (exact & Q(pk__in=by_point.values("pk"))) | (~exact & by_cell)
    return near.alias(_cell_d2=dx * dx * Value(kx * kx) + dy * dy * Value(ky * ky)).filter(by_cell)


def within_circle_for_reader(
    queryset: QuerySet[Any], *, latitude: float, longitude: float, radius_km: float, exact: Q | bool
) -> QuerySet[Any]:
    """The area filter as a reader may use it: ``exact`` is True when they may see every row in
    full (searched by point), False when none (by cell), or the Q of the rows they may see in full."""
    if exact is True:
        return within_circle(queryset, latitude=latitude, longitude=longitude, radius_km=radius_km)
    return within_circle_by_cell(
        queryset,
        latitude=latitude,
        longitude=longitude,
        radius_km=radius_km,
        exact=None if exact is False else exact,
    )
