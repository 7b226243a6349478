"""Turning what people type (a postcode, or a point) into a checked place.

The offline geocoder reads the ``Postcode`` table (``load_postcodes``). A full postcode that is not
in the table falls back to the centre of its district when the district is known, marked as
approximate, wherever it is typed (/join/, "Post a need", the API, imports); a place that cannot be
found is an error, never a silent (0, 0).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Avg, Count

from volunteers.geography import (
    LocationError,
    PostcodeError,
    location_validate,
    postcode_district,
    postcode_is_district,
    postcode_normalise,
)
from volunteers.models import GeocodeCache, Postcode


class GeocodeError(ValueError):
    """The place could not be found or is not usable; the message says why in plain words."""


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float
    postcode: str = ""  # normalised full postcode, or "" when located by district or by point
    district: str = ""
    local_authority_id: int | None = None
    precision: str = "postcode"  # "postcode", "district" or "point"

    @property
    def approximate(self) -> bool:
        return self.precision == "district"


def _district_place(district: str) -> Place | None:
    row = (
        Postcode.objects.filter(district=district)
        .values("district")
        .annotate(lat=Avg("latitude"), lon=Avg("longitude"), n=Count("postcode"))
        .order_by("district")  # Django refuses first() on an unordered aggregate
        .first()
    )
    if not row or not row["n"]:
        return None
    la = (
        Postcode.objects.filter(district=district, local_authority__isnull=False)
        .values("local_authority")
        .annotate(n=Count("postcode"))
        .order_by("-n")
        .first()
    )
    return Place(
        latitude=row["lat"],
        longitude=row["lon"],
        district=district,
        local_authority_id=la["local_authority"] if la else None,
        precision="district",
    )


def _unknown(what: str) -> GeocodeError:
    return GeocodeError(f"{what} is not in this service's list of postcodes; please check it")


def geocode_postcode(raw: str, *, allow_district: bool = True) -> Place:
    """A UK postcode to a place; with ``allow_district``, a district alone (``B23``) too.

    A full postcode that is not in the table but whose district is (a postcode newer than the
    file, or one letter out) is placed at the centre of its district, marked approximate: every
    page and the API take the same postcodes. Raises GeocodeError saying why otherwise."""
    if postcode_is_district(raw):
        district = postcode_district(raw)
        if not allow_district:
            raise GeocodeError(
                f"{district} is only a postcode district; the full postcode is needed (like B23 6AB)"
            )
        place = _district_place(district)
        if place is None:
            raise _unknown(f"The postcode district {district}")
        return place
    try:
        postcode = postcode_normalise(raw)
    except PostcodeError as exc:
        raise GeocodeError(str(exc)) from None
    row = Postcode.objects.filter(postcode=postcode).first()
    if row is not None:
        return Place(row.latitude, row.longitude, postcode, row.district, row.local_authority_id)
    district = postcode_district(postcode)
    if settings.GEOCODER == "nominatim":
        point = geocode_online(postcode)
        if point is not None:
            return Place(point[0], point[1], postcode, district, local_authority_near(*point))
    place = _district_place(district)
    if place is None:
        raise _unknown(f"The postcode {postcode}")
    return Place(place.latitude, place.longitude, postcode, district, place.local_authority_id, "district")


def geocode_postcodes(raws: Iterable[str]) -> dict[str, Place | GeocodeError]:
    """Many postcodes in a few queries (for imports). Keys are the raw strings given."""
    wanted: dict[str, str] = {}
    results: dict[str, Place | GeocodeError] = {}
    for raw in raws:
        try:
            wanted[raw] = postcode_normalise(raw)
        except PostcodeError as exc:
            results[raw] = GeocodeError(str(exc))
    rows = {p.postcode: p for p in Postcode.objects.filter(postcode__in=set(wanted.values()))}
    for raw, postcode in wanted.items():
        row = rows.get(postcode)
        if row is not None:
            results[raw] = Place(row.latitude, row.longitude, postcode, row.district, row.local_authority_id)
        else:
            try:
                results[raw] = geocode_postcode(postcode)
            except GeocodeError as exc:
                results[raw] = exc
    return results


def locate(
    *, postcode: str = "", latitude: float | str | None = None, longitude: float | str | None = None
) -> Place:
    """A place from a postcode or from a latitude and longitude (the point wins when both are given).

    Raises GeocodeError for a place that cannot be found or lies outside the UK.
    """
    has_point = latitude not in (None, "") or longitude not in (None, "")
    if has_point:
        try:
            lat, lon = location_validate(latitude, longitude)
        except LocationError as exc:
            raise GeocodeError(str(exc)) from None
        normalised = ""
        district = ""
        if postcode and postcode.strip():
            try:
                normalised = postcode_normalise(postcode)
                district = postcode_district(normalised)
            except PostcodeError as exc:
                raise GeocodeError(str(exc)) from None
        return Place(lat, lon, normalised, district, local_authority_near(lat, lon), "point")
    if postcode and postcode.strip():
        return geocode_postcode(postcode)
    raise GeocodeError("A postcode, or a latitude and longitude, is needed")


def local_authority_near(latitude: float, longitude: float, *, within_deg: float = 0.03) -> int | None:
    """The local authority of the nearest known postcode within about 3 km, if any."""
    rows = Postcode.objects.filter(
        latitude__range=(latitude - within_deg, latitude + within_deg),
        longitude__range=(longitude - within_deg * 1.6, longitude + within_deg * 1.6),
        local_authority__isnull=False,
    ).values_list("latitude", "longitude", "local_authority")[:500]
    best = min(rows, key=lambda r: (r[0] - latitude) ** 2 + ((r[1] - longitude) * 0.61) ** 2, default=None)
    return best[2] if best else None


# --- online geocoding (GEOCODER=nominatim) ---------------------------------------------------------
# Nominatim's usage policy: at most one request a second, a real User-Agent, and cache the answers.
# The RateLimiter spaces calls within this process; the GeocodeCache table means a postcode is
# asked about once, ever (found or not), across processes.
_nominatim_call = None


def _nominatim():
    global _nominatim_call
    if _nominatim_call is None:
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        geolocator = Nominatim(
            user_agent=settings.NOMINATIM_USER_AGENT, timeout=settings.NOMINATIM_TIMEOUT_SECONDS
        )
        _nominatim_call = RateLimiter(
            geolocator.geocode, min_delay_seconds=1.0, max_retries=1, swallow_exceptions=False
        )
    return _nominatim_call


def geocode_online(query: str) -> tuple[float, float] | None:
    """(lat, lon) for ``query`` from Nominatim (UK only) through the cache, or None if not found.

    Raises GeocodeError when the service cannot be reached; that answer is not cached.
    """
    from geopy.exc import GeopyError

    key = " ".join(query.split()).upper()[:300]
    cached = GeocodeCache.objects.filter(query=key).first()
    if cached is not None:
        # A row is written found with both coordinates or not found with neither.
        if cached.found and cached.latitude is not None and cached.longitude is not None:
            return cached.latitude, cached.longitude
        return None
    try:
        found = _nominatim()(key, country_codes="gb", exactly_one=True)
    except GeopyError as exc:
        raise GeocodeError(
            f"The online geocoder could not be reached ({exc.__class__.__name__}); try again later"
        ) from None
    point = None
    if found is not None:
        try:
            point = location_validate(found.latitude, found.longitude)
        except LocationError:
            point = None
    GeocodeCache.objects.update_or_create(
        query=key,
        defaults={
            "found": point is not None,
            "latitude": point[0] if point else None,
            "longitude": point[1] if point else None,
        },
    )
    return point
