"""A campaign manager picks a playbook and an area, reads the dry run, starts it and watches it run."""

import json
from pathlib import Path

import pytest

from messaging.models import OutboundMessage
from reactivation.models import Campaign
from reactivation.services.campaign_sending import campaign_advance
from reactivation.services.playbooks import playbook_import
from tests.browser.support import axe_check, login, screenshot
from tests.factories import (
    MembershipFactory,
    MutualAidGroupFactory,
    StaffRoleFactory,
    UserFactory,
    VolunteerFactory,
)
from volunteers.models import Membership, StaffRole

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PLAYBOOKS = Path(__file__).resolve().parents[2] / "reactivation" / "demo_playbooks"


def test_dry_run_start_and_progress(page, live_server, brum_aid, settings):
    settings.SMS_QUIET_HOURS = None  # the run must not depend on the hour the tests run at
    StaffRoleFactory(
        user=UserFactory(username="cam"), organisation=brum_aid, role=StaffRole.Role.CAMPAIGN_MANAGER
    )
    playbook = playbook_import(
        document=json.loads((PLAYBOOKS / "pandemic-food-and-prescriptions.json").read_text())
    )
    group = MutualAidGroupFactory(name="Aston Street Champions", status="dormant", organisation=brum_aid)
    MembershipFactory(
        group=group, role=Membership.Role.ORGANISER, volunteer=VolunteerFactory(name="Olu Organiser")
    )
    for i in range(4):
        MembershipFactory(
            group=group, volunteer=VolunteerFactory(name=f"Member {i}", latitude=52.48 + i / 500)
        )
    VolunteerFactory(name="Stopped Steve", status="opted_out")

    login(page, live_server, "cam")
    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="Plan a campaign").click()
    page.get_by_label("Playbook").select_option(playbook.slug)
    page.get_by_label("Birmingham").check()
    page.wait_for_selector("#area-map[data-ready]")
    axe_check(page)
    screenshot(page, "campaign-plan")
    page.get_by_role("button", name="Show me the dry run").click()

    page.get_by_role("heading", name="Dry run: what it would do").wait_for()
    campaign = Campaign.objects.get()
    contacts = campaign.dry_run_report["contact_total"]
    assert contacts >= 5
    assert page.locator("#dry-contacts").inner_text() == str(contacts)
    assert page.locator("blockquote.sms").first.inner_text().strip() != ""
    assert "STOP" in page.locator("blockquote.sms").first.inner_text()
    assert not OutboundMessage.objects.filter(
        purpose__startswith="campaign"
    ).exists()  # a dry run sends nothing
    axe_check(page)
    screenshot(page, "campaign-dry-run")

    page.get_by_role("button", name="Start the campaign").click()
    page.get_by_text("Started. The first wave is going out.").wait_for()
    assert page.locator("#campaign-status").inner_text() == "Running"
    campaign_advance(campaign_id=campaign.pk)  # what the task worker does
    sent = OutboundMessage.objects.filter(volunteer__memberships__group=group).count()
    assert sent >= 1
    # The page polls its progress endpoint: the numbers and the map catch up without a reload.
    page.wait_for_function(f"document.getElementById('p-contacted').textContent.startsWith('{sent} of')")
    page.wait_for_selector("#progress-map[data-points]")
    axe_check(page)
    screenshot(page, "campaign-progress")

    page.get_by_role("button", name="Pause").click()
    page.get_by_text("Paused. No more texts go out until you resume.").wait_for()
    page.get_by_role("button", name="Cancel the campaign").click()
    page.get_by_role("heading", name="After-action review").wait_for()
    page.get_by_label("What worked?").fill("Organisers answered within the hour.")
    page.get_by_role("button", name="Save the review").click()
    page.get_by_text("The lessons are added to").wait_for()
    assert playbook.lessons.get().what_worked == "Organisers answered within the hour."
    axe_check(page)
