"""The exact distance shown to people: the WGS84 ellipsoidal distance by Vincenty's inverse method.

geographiclib (Karney; geopy's engine) took 0.145 ms per pair in pure Python, ten times per match:
most of a match's time. Vincenty's iteration converges in a few steps for any two points that are
not nearly antipodal (never the case within a need's 25.6 km) and agrees with Karney's to well
under a millimetre at these ranges (tests/needs/test_nearest_sql.py); where it does not converge,
geographiclib answers.
"""

from __future__ import annotations

import math

from geographiclib.geodesic import Geodesic

A = 6378137.0  # WGS84
F = 1 / 298.257223563
B = (1 - F) * A
_GEODESIC = Geodesic.WGS84


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The WGS84 geodesic distance between two points, in km."""
    if lat1 == lat2 and lon1 == lon2:
        return 0.0
    u1 = math.atan((1 - F) * math.tan(math.radians(lat1)))
    u2 = math.atan((1 - F) * math.tan(math.radians(lat2)))
    sin_u1, cos_u1, sin_u2, cos_u2 = math.sin(u1), math.cos(u1), math.sin(u2), math.cos(u2)
    big_l = math.radians(lon2 - lon1)
    lam = big_l
    for _ in range(100):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha * sin_alpha
        cos_2sm = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha else 0.0
        c = F / 16 * cos2_alpha * (4 + F * (4 - 3 * cos2_alpha))
        previous = lam
        lam = big_l + (1 - c) * F * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm * cos_2sm))
        )
        if abs(lam - previous) < 1e-12:
            break
    else:
        return _GEODESIC.Inverse(lat1, lon1, lat2, lon2, _GEODESIC.DISTANCE)["s12"] / 1000
    u_sq = cos2_alpha * (A * A - B * B) / (B * B)
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta = (
        big_b
        * sin_sigma
        * (
            cos_2sm
            + big_b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sm * cos_2sm)
                - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma * sin_sigma) * (-3 + 4 * cos_2sm * cos_2sm)
            )
        )
    )
    return B * big_a * (sigma - delta) / 1000
