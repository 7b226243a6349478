"""Reads of the postcode table as the places people name on a map: each local authority's outline
and each postcode district's centre (see volunteers/outlines.py). Computed once and cached: the
table changes only when ``load_postcodes`` or the demo loads it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache

from volunteers.models import Postcode
from volunteers.outlines import AreaOutline, DistrictCentre, base_layer_build

CACHE_SECONDS = 24 * 3600
BASE_ATTRIBUTION = "Council outlines and postcode districts drawn from this service's postcode table"


def _cache_key() -> str:
    # A new load changes the count (or the newest postcode), and so the key: no stale outlines.
    count = Postcode.objects.filter(local_authority__isnull=False).count()
    last = Postcode.objects.order_by("-postcode").values_list("postcode", flat=True).first() or ""
    return f"map-base-layer:v1:{count}:{last.replace(' ', '')}"


def _layer() -> tuple[list[AreaOutline], list[DistrictCentre]]:
    key = _cache_key()
    found = cache.get(key)
    if found is None:
        rows = Postcode.objects.filter(local_authority__isnull=False).values_list(
            "local_authority__name", "district", "latitude", "longitude"
        )
        found = base_layer_build(rows.iterator(chunk_size=5000))
        cache.set(key, found, CACHE_SECONDS)
    return found


def map_base_layer() -> dict[str, Any]:
    """What every map draws under its markers: outlines and names, with their attribution."""
    areas, districts = _layer()
    attribution = BASE_ATTRIBUTION
    if settings.POSTCODE_DATA_ATTRIBUTION:
        attribution += ". " + settings.POSTCODE_DATA_ATTRIBUTION
    return {
        "attribution": attribution,
        "tile_attribution": settings.LEAFLET_TILE_ATTRIBUTION,
        "areas": [{"name": a.name, "outline": a.outline, "label": a.label} for a in areas],
        "districts": [
            {"name": d.name, "local_authority": d.local_authority, "lat": d.latitude, "lon": d.longitude}
            for d in districts
        ],
    }


def postcode_districts(*, local_authorities: Iterable[str] | None = None) -> list[DistrictCentre]:
    """The postcode districts (in postcode order), only those of ``local_authorities`` when given."""
    _, districts = _layer()
    if local_authorities is None:
        return districts
    wanted = set(local_authorities)
    return [d for d in districts if d.local_authority in wanted]
