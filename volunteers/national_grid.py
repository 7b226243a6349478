"""British National Grid eastings and northings to WGS84 latitude and longitude, with no Django.

Ordnance Survey data such as Code-Point Open gives places on the National Grid (OSGB36). This is
the Ordnance Survey's published method ("A guide to coordinate systems in Great Britain"): the
inverse Transverse Mercator projection onto the Airy 1830 ellipsoid, then a seven-parameter
Helmert transformation to WGS84. OS puts its error at up to a few metres across Great Britain
(the shipped postcode file was converted with the full OSTN15 grid instead; a test checks that
the two agree to within metres). Good for placing a postcode, not for surveying.
"""

from __future__ import annotations

import math

# Airy 1830 ellipsoid and the National Grid's projection.
_AIRY_A, _AIRY_B = 6_377_563.396, 6_356_256.909
_F0 = 0.9996012717
_LAT0, _LON0 = math.radians(49.0), math.radians(-2.0)
_E0, _N0 = 400_000.0, -100_000.0
# WGS84 ellipsoid.
_WGS_A, _WGS_B = 6_378_137.000, 6_356_752.3142
# OSGB36 -> WGS84: the published WGS84 -> OSGB36 parameters (tx -446.448 m, ty 125.157 m,
# tz -542.060 m, scale 20.4894 ppm, rotations -0.1502", -0.2470", -0.8421"), each negated.
_TX, _TY, _TZ = 446.448, -125.157, 542.060
_S_PPM = -20.4894
_RX, _RY, _RZ = (math.radians(arcsec / 3600) for arcsec in (0.1502, 0.2470, 0.8421))

# The grid's extent (the 700 km x 1300 km of the 100 km squares).
GRID_MAX_EASTING, GRID_MAX_NORTHING = 700_000, 1_300_000


class GridError(ValueError):
    """Not a National Grid reference; the message says why."""


def _meridional_arc(lat: float, n: float) -> float:
    d, s = lat - _LAT0, lat + _LAT0
    return (
        _AIRY_B
        * _F0
        * (
            (1 + n + 5 / 4 * n**2 + 5 / 4 * n**3) * d
            - (3 * n + 3 * n**2 + 21 / 8 * n**3) * math.sin(d) * math.cos(s)
            + (15 / 8 * n**2 + 15 / 8 * n**3) * math.sin(2 * d) * math.cos(2 * s)
            - 35 / 24 * n**3 * math.sin(3 * d) * math.cos(3 * s)
        )
    )


def _grid_to_osgb36(easting: float, northing: float) -> tuple[float, float]:
    """(lat, lon) in radians on the Airy ellipsoid, by the OS's inverse projection."""
    a, b = _AIRY_A, _AIRY_B
    e2 = 1 - b**2 / a**2
    n = (a - b) / (a + b)
    lat = _LAT0
    arc = 0.0
    while True:  # iterate until the arc reaches the northing to within 0.01 mm
        lat = (northing - _N0 - arc) / (a * _F0) + lat
        arc = _meridional_arc(lat, n)
        if abs(northing - _N0 - arc) < 0.00001:
            break
    sin_lat, cos_lat, tan_lat = math.sin(lat), math.cos(lat), math.tan(lat)
    nu = a * _F0 / math.sqrt(1 - e2 * sin_lat**2)
    rho = a * _F0 * (1 - e2) / (1 - e2 * sin_lat**2) ** 1.5
    eta2 = nu / rho - 1
    de = easting - _E0
    vii = tan_lat / (2 * rho * nu)
    viii = tan_lat / (24 * rho * nu**3) * (5 + 3 * tan_lat**2 + eta2 - 9 * tan_lat**2 * eta2)
    ix = tan_lat / (720 * rho * nu**5) * (61 + 90 * tan_lat**2 + 45 * tan_lat**4)
    x = 1 / (cos_lat * nu)
    xi = 1 / (cos_lat * 6 * nu**3) * (nu / rho + 2 * tan_lat**2)
    xii = 1 / (cos_lat * 120 * nu**5) * (5 + 28 * tan_lat**2 + 24 * tan_lat**4)
    xiia = 1 / (cos_lat * 5040 * nu**7) * (61 + 662 * tan_lat**2 + 1320 * tan_lat**4 + 720 * tan_lat**6)
    return (
        lat - vii * de**2 + viii * de**4 - ix * de**6,
        _LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7,
    )


def _helmert_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """OSGB36 (radians, height 0) to WGS84 (degrees) through Cartesian coordinates."""
    e2 = 1 - _AIRY_B**2 / _AIRY_A**2
    nu = _AIRY_A / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    x1 = nu * math.cos(lat) * math.cos(lon)
    y1 = nu * math.cos(lat) * math.sin(lon)
    z1 = (1 - e2) * nu * math.sin(lat)
    s = 1 + _S_PPM * 1e-6
    x2 = _TX + s * x1 - _RZ * y1 + _RY * z1
    y2 = _TY + _RZ * x1 + s * y1 - _RX * z1
    z2 = _TZ - _RY * x1 + _RX * y1 + s * z1
    e2w = 1 - _WGS_B**2 / _WGS_A**2
    p = math.hypot(x2, y2)
    lat2 = math.atan2(z2, p * (1 - e2w))
    for _ in range(10):
        nu2 = _WGS_A / math.sqrt(1 - e2w * math.sin(lat2) ** 2)
        lat2 = math.atan2(z2 + e2w * nu2 * math.sin(lat2), p)
    return math.degrees(lat2), math.degrees(math.atan2(y2, x2))


def grid_to_wgs84(easting: float | str, northing: float | str) -> tuple[float, float]:
    """(lat, lon) in WGS84 degrees for a National Grid easting and northing in metres.

    Raises GridError for values that are not numbers or lie off the grid."""
    try:
        e, n = float(easting), float(northing)
    except (TypeError, ValueError):
        raise GridError(f"the easting and northing must be numbers, not {easting!r}, {northing!r}") from None
    if not (0 < e < GRID_MAX_EASTING and 0 < n < GRID_MAX_NORTHING):
        raise GridError(f"({e:g}, {n:g}) is not on the National Grid")
    return _helmert_to_wgs84(*_grid_to_osgb36(e, n))
