"""Issue 16, done when: a campaign manager edits a playbook (a new version appears, the old one is
unchanged and still readable), runs a campaign from a coverage gap's button through approval by
campaigner2 to "we have enough", and the stand-down texts reach the local Twilio server. axe-core
on every page."""

import json
from pathlib import Path

import pytest

from messaging.inbound import inbound_receive
from messaging.sending import outbox_drain
from reactivation.models import Campaign
from reactivation.services.campaign_sending import campaign_advance
from reactivation.services.playbooks import playbook_import
from tests.browser.support import axe_check, login, screenshot
from tests.factories import (
    MembershipFactory,
    MutualAidGroupFactory,
    NeedFactory,
    StaffRoleFactory,
    UserFactory,
    VolunteerFactory,
    local_authority,
)
from volunteers.models import Membership, Postcode, StaffRole, Volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PLAYBOOKS = Path(__file__).resolve().parents[2] / "reactivation" / "demo_playbooks"
SPARKBROOK = (52.4607, -1.8730)
THANKS = (
    "{sender}: thank you, we have enough helpers in {area} now. You are back on our quiet list. "
    "Reply STOP to opt out"
)


def region(brum_aid):
    """B11 around Sparkbrook: three open needs and nobody active near; a dormant group of six."""
    for code, north in (("B11 1AA", 0.0), ("B11 2AA", 0.004), ("B11 3AA", -0.004)):
        Postcode.objects.create(
            postcode=code,
            district="B11",
            latitude=SPARKBROOK[0] + north,
            longitude=SPARKBROOK[1],
            local_authority=local_authority(),
        )
    for _ in range(3):
        NeedFactory(organisation=brum_aid, latitude=SPARKBROOK[0], longitude=SPARKBROOK[1])
    group = MutualAidGroupFactory(
        name="Sparkbrook Street Champions",
        status="dormant",
        organisation=brum_aid,
        latitude=SPARKBROOK[0],
        longitude=SPARKBROOK[1],
        radius_km=2,
    )
    people = [
        VolunteerFactory(
            name=name,
            phone=f"+4477009004{i:02d}",
            status=Volunteer.Status.DORMANT,
            latitude=SPARKBROOK[0] + i * 0.0005,
            longitude=SPARKBROOK[1],
            skills=["shopping"],
        )
        for i, name in enumerate(
            ["Olu Organiser", "Rita Ready", "Raj Ready", "Nina Notnow", "Sid Silent", "Sal Silent"]
        )
    ]
    for i, person in enumerate(people):
        MembershipFactory(
            group=group,
            volunteer=person,
            role=Membership.Role.ORGANISER if i == 0 else Membership.Role.MEMBER,
        )
    return people


def text_from(phone: str, body: str, n: int) -> None:
    """A text arriving from a volunteer's phone, handled as the webhook's task would."""
    inbound_receive(message_sid=f"SM{n:032d}", from_number=phone, body=body)


def edit_the_playbook(page, live_server, playbook) -> None:
    old_thanks = playbook.current_version.templates["en"]["thanks"]
    page.goto(f"{live_server.url}/campaigns/playbooks/{playbook.slug}/")
    page.get_by_role("link", name="Edit this playbook").click()
    axe_check(page)
    page.get_by_label("Thank you (English)").fill(THANKS)
    page.get_by_label("What did you change, and why?").fill("Say plainly that we have enough helpers")
    page.get_by_role("button", name="Save as version 2").click()
    page.get_by_text("Saved as version 2. Version 1 is kept as it was.").wait_for()
    axe_check(page)
    page.get_by_role("link", name="Version 1", exact=True).click()
    page.get_by_text("This is an earlier version, kept exactly as it was.").wait_for()
    assert page.get_by_text(old_thanks).is_visible()  # the old version, unchanged and readable
    axe_check(page)
    assert playbook.versions.get(number=1).templates["en"]["thanks"] == old_thanks


def plan_from_the_gap(page, live_server, playbook) -> Campaign:
    page.get_by_role("link", name="Coverage").click()
    page.wait_for_selector("#coverage-map[data-ready]")
    axe_check(page)
    page.get_by_role("link", name="Plan a campaign around B11, Birmingham").click()
    assert page.get_by_label("Postcode district", exact=True).input_value() == "B11"
    page.get_by_label("Playbook").select_option(playbook.slug)
    page.get_by_label("How many people do you need ready?").fill("10")
    axe_check(page)
    page.get_by_role("button", name="Show me the dry run").click()
    page.get_by_role("heading", name="Dry run: what it would do").wait_for()
    axe_check(page)
    campaign = Campaign.objects.get()
    assert campaign.playbook_version.number == 2 and campaign.dry_run_report["contact_total"] == 6
    page.get_by_role("button", name="Start the campaign").click()
    page.get_by_text("This campaign needs a second person to approve it before it starts.").wait_for()
    return campaign


def approve_as_campaigner2(browser, live_server, campaign) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    second = context.new_page()
    try:
        login(second, live_server, "campaigner2")
        second.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
        second.get_by_role(
            "heading", name="Dry run: what it would do"
        ).wait_for()  # they see what they approve
        axe_check(second)
        second.get_by_role("button", name="Approve and start").click()
        second.get_by_text("Approved and started.").wait_for()
        assert second.locator("#campaign-status").inner_text() == "Running"
    finally:
        context.close()


def test_from_a_gap_to_we_have_enough(page, browser, live_server, brum_aid, settings, twilio):
    settings.REACTIVATION_APPROVAL_RECIPIENTS = 3  # lowered, so six people need a second person
    for username in ("campaigner", "campaigner2"):
        StaffRoleFactory(
            user=UserFactory(username=username), organisation=brum_aid, role=StaffRole.Role.CAMPAIGN_MANAGER
        )
    playbook = playbook_import(
        document=json.loads((PLAYBOOKS / "pandemic-food-and-prescriptions.json").read_text())
    )
    olu, rita, raj, nina, *silent = region(brum_aid)

    login(page, live_server, "campaigner")
    edit_the_playbook(page, live_server, playbook)
    campaign = plan_from_the_gap(page, live_server, playbook)
    assert twilio.creates() == []  # nothing before the approval
    approve_as_campaigner2(browser, live_server, campaign)

    campaign_advance(campaign_id=campaign.pk)  # what the task worker does: the first wave...
    outbox_drain()  # ...and its senders (a bulk kick wakes them at most once a second)
    calls = {r.form["To"] for r in twilio.creates()}
    assert calls == {p.phone for p in (olu, rita, raj, nina, *silent)}
    text_from(rita.phone, "READY", 1)
    text_from(raj.phone, "count me in", 2)
    text_from(nina.phone, "NOT NOW", 3)

    page.reload()
    page.get_by_role("heading", name="Who said READY").wait_for()
    ready_table = page.locator("#ready-people")
    assert "Rita Ready" in ready_table.inner_text() and "Raj Ready" in ready_table.inner_text()
    assert "Nina Notnow" not in ready_table.inner_text()
    axe_check(page)
    screenshot(page, "campaign-running-ready")
    before = len(twilio.creates())

    page.get_by_role("button", name="We have enough").click()
    page.get_by_text("Done: the campaign is over.").wait_for()
    assert page.locator("#campaign-status").inner_text() == "Completed"
    axe_check(page)

    outbox_drain()  # the senders again, for any text the once-a-second bulk kick left waiting
    stand_down = twilio.creates()[before:]
    assert sorted(r.form["To"] for r in stand_down) == sorted([rita.phone, raj.phone])
    for request in stand_down:
        assert request.form["Body"] == (
            "Brum Aid: thank you, we have enough helpers in Birmingham now. You are back on our quiet "
            "list. Reply STOP to opt out"
        )
    # Nothing more to the rest, and a second press cannot send them again.
    assert page.get_by_role("button", name="We have enough").count() == 0
    assert len(twilio.creates()) == before + 2


def test_the_register_health_page_and_a_readiness_check_sent_now(page, live_server, infrastructure, twilio):
    StaffRoleFactory(
        user=UserFactory(username="campaigner"),
        organisation=infrastructure,
        role=StaffRole.Role.CAMPAIGN_MANAGER,
    )
    group = MutualAidGroupFactory(name="Sparkbrook Street Champions", status="dormant", organisation=None)
    MembershipFactory(
        group=group,
        role=Membership.Role.ORGANISER,
        volunteer=VolunteerFactory(name="Olu Organiser", phone="+447700900499"),
    )
    login(page, live_server, "campaigner")
    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="The register's health").click()
    page.get_by_role("table", name="How fresh the contacts are in Birmingham").wait_for()
    axe_check(page)
    screenshot(page, "register-health")
    page.get_by_role("button", name="Send a readiness check now to 1 group in Birmingham").click()
    page.get_by_text("Sent: 1 readiness check to the groups of Birmingham.").wait_for()
    axe_check(page)
    outbox_drain()
    (sent,) = [r for r in twilio.creates() if r.form["To"] == "+447700900499"]
    assert sent.form["Body"].startswith(
        "West Midlands Infrastructure: are you still the contact for Sparkbrook"
    )
