"""Two-person approval in the browser: a campaign above the approval threshold, created by one
campaign manager, waits; a second campaign manager approves it, and it starts."""

import json
from pathlib import Path

import pytest

from messaging.models import OutboundMessage
from reactivation.models import Campaign
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


def test_a_big_campaign_needs_a_second_campaign_manager(page, browser, live_server, brum_aid, settings):
    settings.SMS_QUIET_HOURS = None
    settings.REACTIVATION_APPROVAL_RECIPIENTS = 3  # lowered, so a handful of people is "big"
    for username in ("cam", "cass"):
        StaffRoleFactory(
            user=UserFactory(username=username), organisation=brum_aid, role=StaffRole.Role.CAMPAIGN_MANAGER
        )
    playbook = playbook_import(
        document=json.loads((PLAYBOOKS / "pandemic-food-and-prescriptions.json").read_text())
    )
    group = MutualAidGroupFactory(name="Aston Street Champions", status="dormant", organisation=brum_aid)
    MembershipFactory(
        group=group, role=Membership.Role.ORGANISER, volunteer=VolunteerFactory(name="Olu Organiser")
    )
    for i in range(5):
        MembershipFactory(
            group=group, volunteer=VolunteerFactory(name=f"Member {i}", latitude=52.48 + i / 500)
        )

    # The first campaign manager plans it and asks to start it: it waits for a second person.
    login(page, live_server, "cam")
    page.goto(f"{live_server.url}/campaigns/new/")
    page.get_by_label("Playbook").select_option(playbook.slug)
    page.get_by_label("Birmingham").check()
    page.get_by_role("button", name="Show me the dry run").click()
    page.get_by_role("heading", name="Dry run: what it would do").wait_for()
    campaign = Campaign.objects.get()
    assert campaign.dry_run_report["contact_total"] > 3
    axe_check(page)
    page.get_by_role("button", name="Start the campaign").click()
    page.get_by_text("This campaign needs a second person to approve it before it starts.").wait_for()
    assert page.locator("#campaign-status").inner_text() == "Awaiting approval"
    assert page.get_by_role("button", name="Approve and start").count() == 0  # not one's own
    assert not OutboundMessage.objects.filter(purpose__startswith="campaign").exists()
    axe_check(page)
    screenshot(page, "campaign-awaiting-approval")

    # The second campaign manager, in their own browser, approves it; it starts.
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    second = context.new_page()
    try:
        login(second, live_server, "cass")
        second.get_by_role("link", name="Campaigns").click()
        second.get_by_role("link", name=campaign.name).click()
        second.get_by_text("This campaign waits for a second person to approve it").wait_for()
        axe_check(second)
        second.get_by_role("button", name="Approve and start").click()
        second.get_by_text("Approved and started.").wait_for()
        assert second.locator("#campaign-status").inner_text() == "Running"
        axe_check(second)
    finally:
        context.close()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.RUNNING
    assert campaign.approved_by.username == "cass" and campaign.created_by.username == "cam"
