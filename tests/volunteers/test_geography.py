import random

import pytest

from volunteers.geography import (
    CELL_SIDES_KM,
    LocationError,
    PostcodeError,
    cell_block,
    cell_keys,
    haversine_km,
    location_validate,
    postcode_district,
    postcode_normalise,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("b23 6ab", "B23 6AB"),
        ("B236AB", "B23 6AB"),
        (" wv1  1aa ", "WV1 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
    ],
)
def test_postcodes_are_normalised(raw, expected):
    assert postcode_normalise(raw) == expected


@pytest.mark.parametrize("raw", ["", "B23", "12345", "B23 6A", "QQ 123"])
def test_bad_postcodes_are_rejected(raw):
    with pytest.raises(PostcodeError):
        postcode_normalise(raw)


def test_district_of_a_postcode_or_a_district():
    assert postcode_district("b23 6ab") == "B23"
    assert postcode_district("WV14") == "WV14"
    with pytest.raises(PostcodeError):
        postcode_district("nowhere")


def test_places_outside_the_uk_are_rejected():
    assert location_validate("52.48", "-1.90") == (52.48, -1.90)
    with pytest.raises(LocationError, match="outside the UK"):
        location_validate(48.8566, 2.3522)  # Paris
    with pytest.raises(LocationError, match="outside the UK"):
        location_validate(0, 0)  # the classic silent default
    with pytest.raises(LocationError, match="not a place on Earth"):
        location_validate(95, 0)
    with pytest.raises(LocationError, match="both latitude and longitude"):
        location_validate(None, -1.9)
    with pytest.raises(LocationError, match="must be numbers"):
        location_validate("north", "-1.9")


def test_haversine_birmingham_to_coventry():
    assert haversine_km(52.4796, -1.9026, 52.4068, -1.5197) == pytest.approx(27.2, abs=0.3)


def test_every_point_within_a_cell_side_lies_in_the_3x3_block():
    """The property the matcher's exactness rests on, checked across the UK's latitudes."""
    rng = random.Random(7)
    for _ in range(3000):
        lat, lon = rng.uniform(50.0, 60.5), rng.uniform(-8.0, 1.5)
        level = rng.randrange(len(CELL_SIDES_KM))
        side = CELL_SIDES_KM[level]
        # a second point at a random bearing, no further than one side away
        d = rng.uniform(0, side) * 0.999
        bearing = rng.uniform(0, 360)
        import math

        dlat = d * math.cos(math.radians(bearing)) / 111.32
        dlon = d * math.sin(math.radians(bearing)) / (111.32 * math.cos(math.radians(lat)))
        lat2, lon2 = lat + dlat, lon + dlon
        if haversine_km(lat, lon, lat2, lon2) > side:
            continue
        assert cell_keys(lat2, lon2)[level] in cell_block(lat, lon, level)


def test_cell_keys_have_one_key_per_level_and_nest():
    keys = cell_keys(52.4796, -1.9026)
    assert len(keys) == len(CELL_SIDES_KM)
    assert len(set(keys)) == len(keys)
