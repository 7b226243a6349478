"""Issue 13, item 4: a search by area cannot be turned into someone's exact place.

The attack that worked: as a viewer, a binary search on the centre of /api/v1/needs/?latitude=
&longitude=&radius_km= (radius 0.01 km) found a need's stored point in 69 requests; the same over
/api/v1/volunteers/ found another organisation's volunteer. Here the attacker repeats it with the
smallest radius allowed, and ends up at the centre of a 0.8 km cell, not at the point.
"""

from __future__ import annotations

import random

import pytest

from tests.factories import (
    MembershipFactory,
    MutualAidGroupFactory,
    NeedFactory,
    VolunteerFactory,
    local_authority,
)
from volunteers.geography import KM_PER_DEG_LAT, cell_at, cell_centre, haversine_km

pytestmark = pytest.mark.django_db

LEVEL = 2  # PRIVACY_CELL_KM = 0.8 (the default)
SIDE_KM = 0.8
SPARKHILL = (52.4531, -1.8620)
COVENTRY = (52.4068, -1.5197)


def off_centre(place: tuple[float, float], *, by: float) -> tuple[float, float]:
    """A point ``by`` of a cell's side north-east of the centre of the cell holding ``place``."""
    centre = cell_centre(cell_at(*place, LEVEL).key(), LEVEL)
    shift = by * SIDE_KM / KM_PER_DEG_LAT
    return centre[0] + shift, centre[1] + shift


def found(client, path: str, row_id: int, lat: float, lon: float, radius_km: float) -> bool:
    response = client.get(path, {"latitude": lat, "longitude": lon, "radius_km": radius_km})
    assert response.status_code == 200, response.content
    return row_id in {row["id"] for row in response.json()["results"]}


def boundary(inside, start: float, outside: float, steps: int = 30) -> float:
    """Binary search for where ``inside`` (true at ``start``) turns false on the way to ``outside``."""
    lo, hi = start, outside
    for _ in range(steps):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if inside(mid) else (lo, mid)
    return (lo + hi) / 2


def latitude_attack(client, path: str, row_id: int, near: tuple[float, float], radius_km: float) -> float:
    """The attacker's estimate of a row's latitude: the midpoint of where it drops out of a circle
    of ``radius_km`` moving north and moving south along the row's own meridian (an attacker
    generous to themselves: they are given the longitude)."""

    def inside(lat: float) -> bool:
        return found(client, path, row_id, lat, near[1], radius_km)

    assert inside(near[0])
    north = boundary(inside, near[0], near[0] + 0.2)
    south = boundary(inside, near[0], near[0] - 0.2)
    return (north + south) / 2


def test_a_viewer_cannot_search_a_smaller_area_than_the_minimum(api, viewer, brum_aid):
    NeedFactory(organisation=brum_aid)
    response = api.as_(viewer).get(
        "/api/v1/needs/", {"latitude": 52.48, "longitude": -1.9, "radius_km": 0.01}
    )
    assert response.status_code == 400
    assert "at least 2 km" in response.json()["error"]["fields"]["radius_km"][0]


def test_a_viewers_binary_search_for_a_need_ends_at_its_cells_centre_not_its_door(api, viewer, brum_aid):
    point = off_centre(SPARKHILL, by=0.4)
    need = NeedFactory(organisation=brum_aid, latitude=point[0], longitude=point[1])
    client = api.as_(viewer)
    estimate = latitude_attack(client, "/api/v1/needs/", need.id, point, radius_km=2.0)

    centre = cell_centre(cell_at(*point, LEVEL).key(), LEVEL)
    assert estimate == pytest.approx(centre[0], abs=1e-5)  # it converges, on the cell's centre
    assert haversine_km(estimate, point[1], point[0], point[1]) > 0.3  # ... and no nearer the door
    # What the list shows the viewer is that same centre, never the stored point.
    shown = client.get("/api/v1/needs/").json()["results"][0]
    assert (shown["latitude"], shown["longitude"]) == (round(centre[0], 5), round(centre[1], 5))


def test_two_needs_in_one_cell_answer_every_search_alike(api, viewer, brum_aid):
    a = NeedFactory(
        organisation=brum_aid, latitude=off_centre(SPARKHILL, by=-0.45)[0], longitude=SPARKHILL[1]
    )
    b = NeedFactory(organisation=brum_aid, latitude=off_centre(SPARKHILL, by=0.45)[0], longitude=SPARKHILL[1])
    assert cell_at(a.latitude, a.longitude, LEVEL) == cell_at(b.latitude, b.longitude, LEVEL)
    client = api.as_(viewer)
    rng = random.Random(13)
    answers = []
    for _ in range(40):
        lat = SPARKHILL[0] + rng.uniform(-0.03, 0.03)
        lon = SPARKHILL[1] + rng.uniform(-0.05, 0.05)
        ids = {
            row["id"]
            for row in client.get(
                "/api/v1/needs/", {"latitude": lat, "longitude": lon, "radius_km": rng.uniform(2, 3)}
            ).json()["results"]
        }
        answers.append((a.id in ids, b.id in ids))
    assert all(x == y for x, y in answers)
    assert {x for x, _ in answers} == {True, False}  # the searches did cut through the area


def test_the_posting_coordinator_still_searches_by_the_exact_place(api, coordinator, brum_aid):
    point = off_centre(SPARKHILL, by=0.4)
    need = NeedFactory(organisation=brum_aid, latitude=point[0], longitude=point[1])
    client = api.as_(coordinator)
    assert found(client, "/api/v1/needs/", need.id, point[0], point[1], 0.05)
    estimate = latitude_attack(client, "/api/v1/needs/", need.id, point, radius_km=0.05)
    assert estimate == pytest.approx(point[0], abs=1e-5)


def test_another_organisations_volunteer_cannot_be_found_by_binary_search(api, other_coordinator, brum_aid):
    """A Brum Aid volunteer who lives in Coventry is listed to Coventry Together (it covers Coventry)
    with their name and district only: their place must not be recoverable either."""
    point = off_centre(COVENTRY, by=-0.4)
    val = VolunteerFactory(
        name="Val Distant", latitude=point[0], longitude=point[1], local_authority=local_authority("Coventry")
    )
    MembershipFactory(volunteer=val, group=MutualAidGroupFactory(organisation=brum_aid))
    client = api.as_(other_coordinator)
    listed = client.get("/api/v1/volunteers/").json()["results"]
    assert [v["name"] for v in listed] == ["Val Distant"] and "latitude" not in listed[0]

    tiny = client.get("/api/v1/volunteers/", {"latitude": point[0], "longitude": point[1], "radius_km": 0.01})
    assert tiny.status_code == 400

    estimate = latitude_attack(client, "/api/v1/volunteers/", val.id, point, radius_km=2.0)
    centre = cell_centre(cell_at(*point, LEVEL).key(), LEVEL)
    assert estimate == pytest.approx(centre[0], abs=1e-5)
    assert haversine_km(estimate, point[1], point[0], point[1]) > 0.3


def test_a_group_coordinator_still_finds_their_own_volunteer_by_the_exact_place(api, coordinator, brum_aid):
    point = off_centre(SPARKHILL, by=0.4)
    val = VolunteerFactory(latitude=point[0], longitude=point[1])
    MembershipFactory(volunteer=val, group=MutualAidGroupFactory(organisation=brum_aid))
    client = api.as_(coordinator)
    # The minimum radius holds for them too (they may list volunteers they cannot see in full) ...
    assert (
        client.get("/api/v1/volunteers/", {"latitude": 52.45, "longitude": -1.86, "radius_km": 1}).status_code
        == 400
    )
    # ... but their own volunteer is matched by the point, which they see anyway.
    far_side = point[0] + 1.99 / 110.57
    assert found(client, "/api/v1/volunteers/", val.id, far_side, point[1], 2.0)
    assert not found(client, "/api/v1/volunteers/", val.id, far_side + 0.02 / 110.57, point[1], 2.0)


def test_the_minimum_radius_and_the_cell_are_settings(api, viewer, brum_aid, settings):
    settings.PRIVACY_MIN_RADIUS_KM = 5.0
    settings.PRIVACY_CELL_KM = 1.6
    point = off_centre(SPARKHILL, by=0.3)
    need = NeedFactory(organisation=brum_aid, latitude=point[0], longitude=point[1])
    client = api.as_(viewer)
    assert (
        client.get("/api/v1/needs/", {"latitude": 52.45, "longitude": -1.86, "radius_km": 4}).status_code
        == 400
    )
    shown = client.get(f"/api/v1/needs/{need.id}/").json()
    centre = cell_centre(cell_at(*point, 3).key(), 3)
    assert (shown["latitude"], shown["longitude"]) == (round(centre[0], 5), round(centre[1], 5))
