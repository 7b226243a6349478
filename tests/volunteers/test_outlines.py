"""The maps' base layer from postcode points (pure, no database)."""

from volunteers.geography import haversine_km
from volunteers.outlines import base_layer_build, hull, nearest_district, outline_around


def inside(point, polygon) -> bool:
    """Ray casting: is (lat, lon) inside the polygon of (lat, lon) corners?"""
    lat, lon = point
    found = False
    for (a_lat, a_lon), (b_lat, b_lon) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        if (a_lon > lon) != (b_lon > lon):
            cross = a_lat + (lon - a_lon) * (b_lat - a_lat) / (b_lon - a_lon)
            if lat < cross:
                found = not found
    return found


SQUARE = [(52.40, -1.95), (52.40, -1.85), (52.50, -1.85), (52.50, -1.95)]


def test_the_hull_keeps_the_corners_and_drops_the_points_inside():
    assert sorted(hull([*SQUARE, (52.45, -1.90), (52.41, -1.88)])) == sorted(SQUARE)


def test_the_outline_has_every_postcode_inside_with_room_to_spare():
    points = [*SQUARE, (52.45, -1.90)]
    outline = outline_around(points, margin_km=0.6)
    assert all(inside(p, outline) for p in points)
    corner, pushed = SQUARE[0], min(outline, key=lambda q: haversine_km(*q, *SQUARE[0]))
    assert 0.5 < haversine_km(*corner, *pushed) < 0.7


def test_one_postcode_still_gets_a_small_ring_around_it():
    ring = outline_around([(52.48, -1.90)])
    assert len(ring) >= 8 and inside((52.48, -1.90), ring)


def test_a_district_belongs_to_the_council_with_most_of_its_postcodes():
    rows = [
        ("Dudley", "B62", 52.450, -2.050),
        ("Dudley", "B62", 52.452, -2.052),
        ("Sandwell", "B62", 52.460, -2.040),
        ("Birmingham", "B10", 52.470, -1.850),
        ("Birmingham", "B2", 52.480, -1.900),
        ("Birmingham", "B2", 52.490, -1.900),
    ]
    areas, districts = base_layer_build(rows)
    assert [a.name for a in areas] == ["Birmingham", "Dudley", "Sandwell"]
    assert [(d.name, d.local_authority) for d in districts] == [
        ("B2", "Birmingham"),
        ("B10", "Birmingham"),
        ("B62", "Dudley"),
    ]
    b2 = districts[0]
    assert (b2.latitude, b2.longitude) == (52.485, -1.9)
    assert b2.reach_km == 1.0  # its farthest postcode is 0.56 km away: at least a kilometre
    birmingham = areas[0]
    assert all(inside((lat, lon), birmingham.outline) for _, _, lat, lon in rows[3:])


def test_a_clicked_place_is_named_by_the_nearest_district():
    _, districts = base_layer_build(
        [("Birmingham", "B23", 52.524, -1.840), ("Birmingham", "B11", 52.461, -1.873)]
    )
    assert nearest_district(districts, 52.52, -1.85).name == "B23"
    assert nearest_district([], 52.52, -1.85) is None
