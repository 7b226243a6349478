"""Maps with no tile server (LEAFLET_TILE_URL empty, the default): council outlines, place names and
markers big enough to see; choosing a campaign's area by postcode district. axe on each page."""

import json
from pathlib import Path

import pytest

from reactivation.models import Campaign
from reactivation.services.playbooks import playbook_import
from tests.browser.support import axe_check, login, screenshot
from tests.factories import (
    MutualAidGroupFactory,
    NeedFactory,
    StaffRoleFactory,
    UserFactory,
    VolunteerFactory,
)
from tests.volunteers.test_map_base_layer import ERDINGTON, SPARKBROOK, WALSALL, load
from volunteers.models import StaffRole

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PLAYBOOKS = Path(__file__).resolve().parents[2] / "reactivation" / "demo_playbooks"


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, "not drawn"
    return found


def test_the_coverage_map_with_no_tiles_shows_outlines_names_and_markers(
    page, live_server, coordinator, brum_aid, settings
):
    settings.LEAFLET_TILE_URL = ""
    load(ERDINGTON + SPARKBROOK, "Birmingham")
    load(WALSALL, "Walsall")
    for i in range(3):  # a gap: needs and nobody near
        NeedFactory(organisation=brum_aid, latitude=52.461 + i / 1000, longitude=-1.873)
    VolunteerFactory.create_batch(8, latitude=52.524, longitude=-1.84)  # many volunteers, 1 need: a low score
    NeedFactory(organisation=brum_aid, latitude=52.524, longitude=-1.84)
    MutualAidGroupFactory(
        name="Sparkbrook Helpers", status="dormant", latitude=52.46, longitude=-1.87, radius_km=3
    )

    login(page, live_server, "cora")
    page.get_by_role("link", name="Coverage").click()
    page.wait_for_selector("#coverage-map[data-base-ready='2']")
    the_map = page.locator("#coverage-map")

    assert the_map.locator(".leaflet-tile").count() == 0  # no tiles at all
    outlines = the_map.locator("path.rk-outline")
    assert outlines.count() == 2
    assert box(outlines.first)["width"] > 20 and box(outlines.first)["height"] > 20
    names = the_map.locator(".rk-label-area")
    assert sorted(names.all_inner_texts()) == ["Birmingham", "Walsall"]
    assert box(names.first)["width"] > 20
    markers = the_map.locator("path.rk-marker")
    assert markers.count() >= 1
    for i in range(markers.count()):
        size = box(markers.nth(i))
        assert size["width"] >= 12 and size["height"] >= 12  # radius at least 6 px, never 1 px
    assert "postcode table" in the_map.locator(".leaflet-control-attribution").inner_text()
    assert page.get_by_role("cell", name="Sparkbrook Helpers", exact=False).count() >= 1  # the list beside it
    axe_check(page)
    screenshot(page, "coverage-offline")


def test_a_campaign_area_is_chosen_by_postcode_district(page, live_server, brum_aid, settings):
    settings.SMS_QUIET_HOURS = None
    load(ERDINGTON + SPARKBROOK, "Birmingham")
    StaffRoleFactory(
        user=UserFactory(username="cam"), organisation=brum_aid, role=StaffRole.Role.CAMPAIGN_MANAGER
    )
    playbook = playbook_import(
        document=json.loads((PLAYBOOKS / "pandemic-food-and-prescriptions.json").read_text())
    )
    for i in range(4):
        VolunteerFactory(status="dormant", latitude=52.524 + i / 1000, longitude=-1.84, skills=["shopping"])

    login(page, live_server, "cam")
    page.goto(f"{live_server.url}/campaigns/new/")
    page.wait_for_selector("#area-map[data-base-ready='1']")
    the_map = page.locator("#area-map")
    assert the_map.locator(".rk-label-area").inner_text() == "Birmingham"
    page.get_by_label("Playbook").select_option(playbook.slug)
    page.get_by_label("Postcode district", exact=True).select_option("B23")
    assert page.get_by_label("A postcode district").is_checked()
    page.get_by_text("Chosen: 1 km around B23, Birmingham.").wait_for()
    area = the_map.locator("path.rk-area")
    assert box(area)["width"] > 30  # the district's circle, drawn where it is
    page.wait_for_function("!document.getElementById('area-map').classList.contains('rk-far')")
    assert "B23" in the_map.locator(".rk-label-district").all_inner_texts()  # closer in, districts show
    axe_check(page)
    screenshot(page, "campaign-plan-district")

    page.get_by_role("button", name="Show me the dry run").click()
    page.get_by_role("heading", name="Dry run: what it would do").wait_for()
    campaign = Campaign.objects.get()
    assert campaign.name == f"{playbook.title}: 1 km around B23, Birmingham"
    assert campaign.dry_run_report["contact_total"] == 4
    axe_check(page)


def test_a_campaign_area_is_chosen_by_clicking_the_map(page, live_server, brum_aid):
    load(ERDINGTON + SPARKBROOK, "Birmingham")
    StaffRoleFactory(
        user=UserFactory(username="cam"), organisation=brum_aid, role=StaffRole.Role.CAMPAIGN_MANAGER
    )
    playbook_import(document=json.loads((PLAYBOOKS / "pandemic-food-and-prescriptions.json").read_text()))
    login(page, live_server, "cam")
    page.goto(f"{live_server.url}/campaigns/new/")
    page.wait_for_selector("#area-map[data-base-ready='1']")
    the_map = page.locator("#area-map")
    size = box(the_map)
    the_map.click(position={"x": size["width"] / 2, "y": size["height"] / 2 + 20})  # inside Birmingham
    assert page.get_by_label("A place I click on the map").is_checked()
    page.get_by_text("Chosen: 3 km around a place near", exact=False).wait_for()
    assert page.locator("#id_latitude").input_value() != ""
