"""Where the ring search starts (pure: no Django).

Every round trip to the database costs about as much as reading a hundred rows, so climbing from
the smallest cell at every query wastes most of the time at the thin rural edge (four or five
empty rings), while starting high in central Birmingham reads thousands of rows. The start level
is chosen from two coarse density maps (active volunteers per 1.6 km and per 12.8 km cell,
passing the need's selective filters): the smallest level whose one-side radius is expected to hold
``MARGIN`` times the rows wanted. The map only picks where to start: the climb above it stays
exact whatever the map says, so a stale or empty map costs time, never a wrong answer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

# Map levels: 1.6 km cells judge the small rings, 12.8 km cells the wide ones (a thin rural block
# of 1.6 km cells often holds nobody, which says little about the next 20 km).
DENSITY_LEVELS = (3, 6)
MARGIN = 2.0  # expect twice the rows wanted within one side, so one ring is usually enough


def density_level_for(level: int) -> int:
    return DENSITY_LEVELS[0] if level <= DENSITY_LEVELS[0] + 1 else DENSITY_LEVELS[1]


def expected_within(*, count_in_block: int, density_side_km: float, radius_km: float) -> float:
    """Expected rows within ``radius_km`` of a point, from the count in its 3x3 density block."""
    density = count_in_block / (9 * density_side_km**2)
    return density * math.pi * radius_km**2


def start_level(
    *,
    block_counts: Mapping[int, int],
    sides_km: Sequence[float],
    want: int,
    radius_km: float,
) -> int:
    """The first level to fetch: the smallest expected to hold ``MARGIN * want`` rows within one
    side, never above the level whose side covers ``radius_km``.

    ``block_counts`` maps each of DENSITY_LEVELS to the count in the 3x3 block of that level's
    cells around the point.
    """
    last = next((i for i, side in enumerate(sides_km) if side >= radius_km), len(sides_km) - 1)
    for level, side in enumerate(sides_km[: last + 1]):
        map_level = density_level_for(level)
        expected = expected_within(
            count_in_block=block_counts.get(map_level, 0),
            density_side_km=sides_km[map_level],
            radius_km=side,
        )
        if expected >= MARGIN * want:
            return level
    return last
