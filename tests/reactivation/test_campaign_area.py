"""Choosing a campaign's area on the plan page: whole council areas, a postcode district from a list,
or a place clicked on the map; never typed coordinates."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reactivation.models import Campaign
from tests.reactivation.conftest import SPARKBROOK, dormant
from tests.volunteers.test_map_base_layer import ERDINGTON, WALSALL, load
from tests.volunteers.test_map_base_layer import SPARKBROOK as SPARKBROOK_POSTCODES

pytestmark = pytest.mark.django_db
NEW = reverse("reactivation:new")


@pytest.fixture
def postcodes():
    load(ERDINGTON + SPARKBROOK_POSTCODES, "Birmingham")
    load(WALSALL, "Walsall")


def plan(version, **area) -> dict:
    return {
        "organisation": "brum-aid",
        "playbook": version.playbook.slug,
        "target_ready": "2",
        "spend_cap_pounds": "20",
        **area,
    }


def test_the_page_offers_districts_of_the_areas_covered_and_no_coordinate_boxes(
    client, manager, version, postcodes
):
    client.force_login(manager)
    page = client.get(NEW).content.decode()
    assert '<option value="B11">B11, Birmingham</option>' in page
    assert "WS1" not in page  # Brum Aid covers Birmingham only
    assert 'type="hidden" name="latitude"' in page and 'type="hidden" name="longitude"' in page
    assert "Centre latitude" not in page and "<label" not in page.split('name="latitude"')[0][-200:]


def test_a_postcode_district_becomes_a_circle_over_the_whole_district(client, manager, version, postcodes):
    dormant(3, at=SPARKBROOK)
    client.force_login(manager)

    response = client.post(NEW, plan(version, area_kind="district", district="B11"))

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert campaign.area["latitude"] == pytest.approx(52.458) and campaign.area["longitude"] == pytest.approx(
        -1.8765
    )
    assert campaign.area["radius_km"] == 1.0
    assert campaign.name == "Pandemic: 1 km around B11, Birmingham"


def test_a_district_with_its_own_distance(client, manager, version, postcodes):
    dormant(3, at=SPARKBROOK)
    client.force_login(manager)
    client.post(NEW, plan(version, area_kind="district", district="B11", radius_km="4"))
    assert Campaign.objects.get().area["radius_km"] == 4


def test_a_clicked_place_is_named_by_its_nearest_district(client, manager, version, postcodes):
    dormant(3, at=SPARKBROOK)
    client.force_login(manager)
    client.post(NEW, plan(version, area_kind="circle", latitude="52.4607", longitude="-1.873"))
    campaign = Campaign.objects.get()
    assert (campaign.area["latitude"], campaign.area["radius_km"]) == (52.4607, 3)
    assert campaign.name == "Pandemic: 3 km around a place near B11, Birmingham"


@pytest.mark.parametrize(
    ("area", "problem"),
    [
        ({"area_kind": "circle"}, "Click the map to choose the place, or choose a postcode district."),
        ({"area_kind": "district"}, "Choose a postcode district from the list."),
        ({"area_kind": "district", "district": "WS1"}, "Select a valid choice."),
        ({"area_kind": "local_authorities"}, "Tick at least one council area."),
    ],
)
def test_an_area_not_chosen_is_named(client, manager, version, postcodes, area, problem):
    client.force_login(manager)
    response = client.post(NEW, plan(version, **area))
    assert problem in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_link_can_open_the_plan_for_a_district(client, manager, version, postcodes):
    client.force_login(manager)
    page = client.get(NEW, {"district": "b23"}).content.decode()
    assert '<option value="B23" selected>' in page
    assert 'value="district" required id="id_area_kind_1" checked' in page
