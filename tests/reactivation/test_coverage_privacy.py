"""Issue 13, item 4: no aggregate carries a stored point, and no count points at a door.

/api/v1/coverage-gaps/ used to place a gap at the mean of its needs, so a cell with one need
handed its stored point, to five decimals, to every campaign manager.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from reactivation.selectors.campaigns import campaign_map_points
from reactivation.selectors.register import coverage_gaps
from tests.factories import (
    CampaignFactory,
    CampaignRecipientFactory,
    NeedFactory,
    VolunteerFactory,
)
from volunteers.geography import KM_PER_DEG_LAT, KM_PER_DEG_LON, cell_at, cell_centre

pytestmark = pytest.mark.django_db

SPARKBROOK = (52.4607, -1.8730)


def in_cell(level: int, key: int, *, north: float, east: float) -> tuple[float, float]:
    """A point inside a cell, ``north`` and ``east`` of its centre as a share of its side."""
    side = (0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6)[level]
    lat, lon = cell_centre(key, level)
    return lat + north * side / KM_PER_DEG_LAT, lon + east * side / KM_PER_DEG_LON


def stored_points_in(text: str, needs) -> list[str]:
    """The needs' stored coordinates, to 3 decimals or more, found in ``text``."""
    return [
        f"{value:.{d}f}"
        for n in needs
        for value in (n.latitude, n.longitude)
        for d in (3, 4, 5)
        if f"{value:.{d}f}" in text
    ]


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_a_single_need_shows_on_no_coverage_map(manager):
    NeedFactory(latitude=SPARKBROOK[0], longitude=SPARKBROOK[1])
    assert coverage_gaps() == []
    assert api_as(manager).get("/api/v1/coverage-gaps/").json() == []


def test_a_gap_is_placed_at_its_cells_centre_not_at_its_needs(manager):
    key = cell_at(*SPARKBROOK, 3).key()
    needs = [
        NeedFactory(latitude=p[0], longitude=p[1])
        for p in (
            in_cell(3, key, north=0.31, east=0.27),
            in_cell(3, key, north=0.22, east=0.41),
            in_cell(3, key, north=0.37, east=0.12),
        )
    ]
    (gap,) = api_as(manager).get("/api/v1/coverage-gaps/").json()
    centre = cell_centre(key, 3)
    assert (gap["latitude"], gap["longitude"], gap["cell_km"]) == (
        round(centre[0], 5),
        round(centre[1], 5),
        1.6,
    )
    assert gap["open_needs"] == 3
    assert stored_points_in(json.dumps(gap), needs) == []


def test_cells_with_too_few_needs_are_merged_into_the_coarser_cell_around_them():
    # Three needs in three neighbouring 1.6 km cells of one 3.2 km cell: none may be shown alone.
    parent = cell_at(*SPARKBROOK, 4).key()
    needs = [
        NeedFactory(latitude=p[0], longitude=p[1])
        for p in (
            in_cell(4, parent, north=-0.3, east=-0.3),
            in_cell(4, parent, north=-0.3, east=0.3),
            in_cell(4, parent, north=0.3, east=0.3),
        )
    ]
    assert len({n.cell_3 for n in needs}) == 3
    (gap,) = coverage_gaps()
    assert (gap.cell, gap.cell_km, gap.open_needs) == (parent, 3.2, 3)
    assert (gap.latitude, gap.longitude) == tuple(round(v, 5) for v in cell_centre(parent, 4))


def test_the_coverage_page_and_its_map_show_cells_not_points(manager, settings):
    settings.COVERAGE_MIN_NEEDS = 2
    key = cell_at(*SPARKBROOK, 3).key()
    needs = [
        NeedFactory(latitude=p[0], longitude=p[1])
        for p in (in_cell(3, key, north=0.33, east=-0.29), in_cell(3, key, north=-0.27, east=0.36))
    ]
    client = Client()
    client.force_login(manager)
    body = client.get("/campaigns/coverage/").content.decode()
    data = json.loads(
        re.search(r'<script id="coverage-map-data" type="application/json">(.*?)</script>', body, re.S).group(
            1
        )
    )
    centre = cell_centre(key, 3)
    assert [(m["lat"], m["lon"]) for m in data["markers"]] == [(round(centre[0], 5), round(centre[1], 5))]
    assert "fewer than 2 open needs" in body
    assert stored_points_in(body, needs) == []


def test_a_campaigns_map_shows_its_people_by_cell(brum_aid):
    campaign = CampaignFactory(organisation=brum_aid)
    key = cell_at(*SPARKBROOK, 2).key()
    home = in_cell(2, key, north=0.38, east=-0.33)
    val = VolunteerFactory(latitude=home[0], longitude=home[1])
    CampaignRecipientFactory(campaign=campaign, volunteer=val, state="messaged")
    centre = cell_centre(key, 2)
    assert campaign_map_points(campaign=campaign) == [
        {"lat": round(centre[0], 5), "lon": round(centre[1], 5), "kind": "messaged"}
    ]
    assert stored_points_in(json.dumps(campaign_map_points(campaign=campaign)), [val]) == []
