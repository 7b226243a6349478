"""A campaign manager reads a playbook, edits it with the live preview of a text, saves, and finds
the new version beside the old one, which is unchanged and still readable. axe on every page."""

import json
from pathlib import Path

import pytest

from reactivation.services.playbooks import playbook_import
from tests.browser.support import axe_check, login, screenshot
from tests.factories import CampaignFactory, StaffRoleFactory, UserFactory
from volunteers.models import StaffRole

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PLAYBOOKS = Path(__file__).resolve().parents[2] / "reactivation" / "demo_playbooks"
PUNJABI = "{sender}: ਕੀ ਤੁਸੀਂ {area} ਵਿੱਚ ਮਦਦ ਕਰ ਸਕਦੇ ਹੋ? READY ਜਾਂ NOT NOW ਲਿਖੋ। Reply STOP to opt out"


def test_edit_a_playbook_and_keep_the_old_version(page, live_server, brum_aid):
    StaffRoleFactory(
        user=UserFactory(username="cam"), organisation=brum_aid, role=StaffRole.Role.CAMPAIGN_MANAGER
    )
    playbook = playbook_import(
        document=json.loads((PLAYBOOKS / "pandemic-food-and-prescriptions.json").read_text())
    )
    v1 = playbook.current_version
    old_call = v1.templates["en"]["volunteer_call"]
    CampaignFactory(playbook_version=v1, organisation=brum_aid, status="completed")

    login(page, live_server, "cam")
    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="Read the playbooks").click()
    axe_check(page)
    page.get_by_role("link", name=playbook.title).click()
    page.get_by_text("1 campaign ran this version, so it can never change.").wait_for()
    axe_check(page)
    screenshot(page, "playbook")

    page.get_by_role("link", name="Edit this playbook").click()
    axe_check(page)
    call = page.get_by_label("To volunteers (English)")
    call.fill(PUNJABI)
    preview = page.locator("#preview-t-text_en_volunteer_call")
    preview.locator("[data-part=counts]", has_text="Unicode").wait_for()
    assert "segments" in preview.locator("[data-part=counts]").inner_text()
    assert "Sparkbrook Street Champions" not in preview.inner_text()  # no {group} in this text
    assert "Birmingham" in preview.locator("[data-part=body]").inner_text()
    call.fill("Can you help in {area}? Reply READY")
    preview.locator("[data-part=problems]").wait_for()
    assert "must say who it is from" in preview.inner_text()
    axe_check(page)
    screenshot(page, "playbook-editor")

    page.get_by_role("button", name="Save as version 2").click()  # no change note, a text without STOP
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.get_by_role("link", name="What did you change, and why?", exact=False).is_visible()
    assert page.get_by_label("To volunteers (English)").input_value() == "Can you help in {area}? Reply READY"
    axe_check(page)

    call = page.get_by_label("To volunteers (English)")
    call.fill(PUNJABI)
    page.get_by_label("First wave: texts at most").fill("25")
    page.get_by_label("What did you change, and why?").fill(
        "Call volunteers in Punjabi; a smaller first wave"
    )
    page.get_by_role("button", name="Save as version 2").click()
    page.get_by_text("Saved as version 2. Version 1 is kept as it was.").wait_for()
    assert page.locator("#version-number").inner_text() == "2"
    axe_check(page)

    page.get_by_role("link", name="Version 1", exact=True).click()
    page.get_by_text("This is an earlier version, kept exactly as it was.").wait_for()
    assert page.get_by_text(old_call).is_visible()
    axe_check(page)

    page.get_by_role("link", name="Compare with the current version").click()
    page.get_by_role("heading", name="Texts (1 change)").wait_for()
    assert page.get_by_role("cell", name="Changed").count() >= 2  # the text and the first wave
    axe_check(page)
    screenshot(page, "playbook-compare")

    v1.refresh_from_db()
    assert v1.templates["en"]["volunteer_call"] == old_call and v1.wave_rules["first_wave"] == 50
    v2 = playbook.versions.get(number=2)
    assert v2.templates["en"]["volunteer_call"] == PUNJABI and v2.wave_rules["first_wave"] == 25
