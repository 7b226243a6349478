"""The demo's geography: real town centres, the real postcodes around them, invented numbers."""

from __future__ import annotations

import random
from dataclasses import dataclass

from volunteers.models import LocalAuthority, Postcode

CONSTITUENT = [
    "Birmingham",
    "Coventry",
    "Dudley",
    "Sandwell",
    "Solihull",
    "Walsall",
    "Wolverhampton",
]


@dataclass(frozen=True)
class Centre:
    name: str
    local_authority: str
    lat: float
    lon: float
    districts: tuple[str, ...]
    weight: float  # share of the population placed here


# Real town and neighbourhood centres; districts are the postcode districts that cover them.
CENTRES: tuple[Centre, ...] = (
    Centre(
        "Birmingham City Centre",
        "Birmingham",
        52.4796,
        -1.9026,
        ("B1", "B2", "B3", "B4", "B5"),
        3.0,
    ),
    Centre("Erdington", "Birmingham", 52.5236, -1.8396, ("B23", "B24"), 1.5),
    Centre("Sutton Coldfield", "Birmingham", 52.5633, -1.8227, ("B72", "B73", "B74"), 1.2),
    Centre("Selly Oak", "Birmingham", 52.4372, -1.9360, ("B29",), 1.2),
    Centre("Sparkbrook", "Birmingham", 52.4607, -1.8730, ("B11", "B12"), 1.5),
    Centre("Handsworth", "Birmingham", 52.5054, -1.9322, ("B20", "B21"), 1.2),
    Centre("Northfield", "Birmingham", 52.4158, -1.9669, ("B31",), 1.0),
    Centre("Coventry City Centre", "Coventry", 52.4068, -1.5197, ("CV1",), 1.6),
    Centre("Foleshill", "Coventry", 52.4300, -1.4960, ("CV6",), 1.0),
    Centre("Tile Hill", "Coventry", 52.3990, -1.5770, ("CV4",), 0.7),
    Centre("Dudley", "Dudley", 52.5087, -2.0877, ("DY1", "DY2"), 1.0),
    Centre("Stourbridge", "Dudley", 52.4568, -2.1479, ("DY8",), 0.8),
    Centre("Halesowen", "Dudley", 52.4497, -2.0503, ("B62", "B63"), 0.7),
    Centre("West Bromwich", "Sandwell", 52.5187, -1.9945, ("B70", "B71"), 1.0),
    Centre("Smethwick", "Sandwell", 52.4930, -1.9680, ("B66", "B67"), 0.9),
    Centre("Oldbury", "Sandwell", 52.5050, -2.0159, ("B68", "B69"), 0.7),
    Centre("Solihull", "Solihull", 52.4128, -1.7780, ("B91",), 0.9),
    Centre("Chelmsley Wood", "Solihull", 52.4830, -1.7320, ("B37",), 0.7),
    Centre("Shirley", "Solihull", 52.4080, -1.8210, ("B90",), 0.6),
    Centre("Walsall", "Walsall", 52.5862, -1.9829, ("WS1", "WS2"), 1.0),
    Centre("Bloxwich", "Walsall", 52.6185, -2.0046, ("WS3",), 0.6),
    Centre("Wolverhampton City Centre", "Wolverhampton", 52.5862, -2.1288, ("WV1", "WV2"), 1.1),
    Centre("Wednesfield", "Wolverhampton", 52.5995, -2.0834, ("WV11",), 0.6),
    Centre("Bilston", "Wolverhampton", 52.5660, -2.0730, ("WV14",), 0.6),
)


def authorities_by_name() -> dict[str, LocalAuthority]:
    """The region's councils (from the migrations' data), by name."""
    return {la.name: la for la in LocalAuthority.objects.filter(name__in=CONSTITUENT)}


def centre_pick(rng: random.Random) -> Centre:
    """A centre, more often the bigger ones."""
    return rng.choices(CENTRES, weights=[c.weight for c in CENTRES])[0]


def point_jitter(rng: random.Random, centre: Centre, spread_km: float) -> tuple[float, float]:
    """A point about ``spread_km`` from ``centre`` (a normal spread, rounded to 6 places)."""
    lat = centre.lat + rng.gauss(0, spread_km / 111.32)
    lon = centre.lon + rng.gauss(0, spread_km / 68.0)
    return round(lat, 6), round(lon, 6)


def centre_nearest(lat: float, lon: float) -> Centre:
    return min(CENTRES, key=lambda c: (c.lat - lat) ** 2 + ((c.lon - lon) * 0.61) ** 2)


def demo_districts() -> set[str]:
    return {district for centre in CENTRES for district in centre.districts}


class PostcodeIndex:
    """The real postcodes of the demo's districts, bucketed on a grid of about a kilometre, so
    that the nearest one to a point is found among a few dozen rather than tens of thousands."""

    STEP = 0.01  # degrees of latitude (1.1 km); longitude buckets are as wide in kilometres

    def __init__(self, postcodes: list[Postcode]):
        if not postcodes:
            raise ValueError("No postcodes to place the demo's people on")
        self.buckets: dict[tuple[int, int], list[Postcode]] = {}
        for pc in postcodes:
            self.buckets.setdefault(self._key(pc.latitude, pc.longitude), []).append(pc)

    def _key(self, lat: float, lon: float) -> tuple[int, int]:
        return int(lat // self.STEP), int(lon * 0.61 // self.STEP)

    def nearest(self, lat: float, lon: float) -> Postcode:
        row, col = self._key(lat, lon)
        for reach in range(1, 50):  # widen the ring until it holds a postcode
            found = [
                pc
                for r in range(row - reach, row + reach + 1)
                for c in range(col - reach, col + reach + 1)
                for pc in self.buckets.get((r, c), ())
            ]
            if found:
                return min(found, key=lambda p: (p.latitude - lat) ** 2 + ((p.longitude - lon) * 0.61) ** 2)
        return min(
            (pc for bucket in self.buckets.values() for pc in bucket),
            key=lambda p: (p.latitude - lat) ** 2 + ((p.longitude - lon) * 0.61) ** 2,
        )


DEMO_PHONE_PREFIX = "+4477009"


def demo_phone(index: int) -> str:
    # +447700900000 upwards: Ofcom's drama range, then the unallocated rest of the 07700 9 block.
    return f"{DEMO_PHONE_PREFIX}{index:05d}"
