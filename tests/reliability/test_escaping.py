"""HTML and script in every text field a page shows: escaped by the server on every page (test
client), and proven inert in a real Chromium (no dialog, no flag set by an onerror handler), the map
popups included.

Every hostile value is TAG + PAYLOAD, the tag naming the field, so that a failure says which field
on which page came out as live markup."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from messaging.models import InboundMessage
from needs.models import Need, Offer
from reactivation.models import AfterActionReview, Campaign, PlaybookVersion
from reactivation.services.campaign_lifecycle import campaign_create
from tests.browser.support import login
from tests.factories import (
    InboundMessageFactory,
    InboxEntryFactory,
    MembershipFactory,
    MutualAidGroupFactory,
    NeedFactory,
    OfferFactory,
    OrganisationFactory,
    PlaybookFactory,
    StaffRoleFactory,
    UserFactory,
    VolunteerFactory,
    offer_path,
)
from tests.reliability.security_support import local_authorities_restore
from volunteers.links import page_link_issue
from volunteers.models import Membership, MutualAidGroup, StaffRole, Volunteer

pytestmark = [pytest.mark.reliability]

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{SCRIPT} {IMG} javascript:alert(1) {{{{7*7}}}} </textarea></script><svg onload=alert(1)>"
# Markup that must never reach a page alive (anywhere, in any field, on any page).
LIVE = ("<script>alert(1)", "<img src=x onerror", "<svg onload", "</textarea></script><svg")
JS_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
SPARKBROOK = (52.4607, -1.8730)


def hostile(tag: str) -> str:
    return f"[{tag}]{PAYLOAD}"


def escaped(tag: str) -> str:
    """How the whole value must appear in HTML: every character of it, as text."""
    return escape(hostile(tag))


def in_json_script(tag: str) -> str:
    """How the value's start must appear inside json_script (< > & as \\u escapes)."""
    return f"[{tag}]\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E"


def assert_inert(body: str, where: str) -> None:
    for live in LIVE:
        assert live not in body, f"{where}: {live!r} is live markup"
    assert not JS_URL.search(body), f"{where}: a javascript: URL in an attribute"


def assert_shows(body: str, where: str, *tags: str) -> None:
    assert_inert(body, where)
    for tag in tags:
        assert escaped(tag) in body, f"{where}: [{tag}] is not shown escaped in full"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SMS_BACKEND = "locmem"
    settings.SMS_TASKS_SYNC = True
    settings.SMS_QUIET_HOURS = None
    cache.clear()


@pytest.fixture
def world(db, settings):
    """One hostile organisation whose every displayed text field carries the payload."""
    settings.COVERAGE_MIN_NEEDS = 1  # the one need's cell must show on the coverage map
    org = OrganisationFactory(name=hostile("org"), covers=["Birmingham"])
    coordinator = StaffRoleFactory(user=UserFactory(username="cora2"), organisation=org).user
    manager = StaffRoleFactory(
        user=UserFactory(username="cam2"), organisation=org, role=StaffRole.Role.CAMPAIGN_MANAGER
    ).user
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    need = NeedFactory(
        organisation=org,
        posted_by=coordinator,
        # At Sparkbrook, about 3 km from the active volunteers in the centre: a coverage gap (more
        # need than active hands within reach), yet within their reach as candidates.
        latitude=SPARKBROOK[0],
        longitude=SPARKBROOK[1],
        summary=hostile("summary"),
        details=hostile("details"),
        dietary_notes=hostile("dietary"),
        requester_name=hostile("requester"),
        requester_address=hostile("address"),
    )
    helper = VolunteerFactory(name=hostile("helper"), skills=["shopping"], has_car=True)
    candidate = VolunteerFactory(name=hostile("candidate"), skills=["shopping"], has_car=True)
    offer = OfferFactory(need=need, volunteer=helper, expires_at=timezone.now() + timedelta(hours=2))
    Need.objects.filter(pk=need.pk).update(status=Need.Status.OFFERED)
    group = MutualAidGroupFactory(
        name=hostile("group"),
        notes=hostile("group-notes"),
        status=MutualAidGroup.Status.DORMANT,
        latitude=SPARKBROOK[0],
        longitude=SPARKBROOK[1],
        radius_km=4,  # reaches the need's cell on the coverage map (its centre, not the need's point)
    )
    organiser = VolunteerFactory(
        name=hostile("organiser"),
        status=Volunteer.Status.DORMANT,
        latitude=SPARKBROOK[0],
        longitude=SPARKBROOK[1],
        skills=["shopping"],
    )
    MembershipFactory(group=group, volunteer=organiser, role=Membership.Role.ORGANISER)
    for i in range(3):
        MembershipFactory(
            group=group,
            volunteer=VolunteerFactory(
                status=Volunteer.Status.DORMANT,
                latitude=SPARKBROOK[0] + i * 0.001,
                longitude=SPARKBROOK[1],
                skills=["shopping"],
            ),
        )
    InboxEntryFactory(
        organisation=org,
        message=InboundMessageFactory(
            from_number=helper.phone, volunteer=helper, body=hostile("sms"), needs_attention=True
        ),
    )
    InboxEntryFactory(
        organisation=org,
        message__body=hostile("sms-done"),
        resolved_at=timezone.now(),
        resolved_by=coordinator,
    )
    playbook = PlaybookFactory(title=hostile("playbook"), summary=hostile("playbook-summary"))
    version = PlaybookVersion.objects.create(
        playbook=playbook,
        number=1,
        steps=[{"title": hostile("step"), "detail": hostile("step-detail"), "role": "organiser"}],
        # A template is filled in with str.format, so its payload has no braces; it must still be text.
        templates={
            "en": {
                "organiser_call": "{sender}: [template]" + SCRIPT + " " + IMG + " {group}. Reply READY",
                "volunteer_call": "{sender}: [template]" + SCRIPT + " {area}. Reply READY or STOP",
            }
        },
        targeting={"group_kinds": ["mutual_aid"], "skills": ["shopping"], "radius_km": 3},
        wave_rules={"first_wave": 3, "growth": 2, "max_wave": 10, "wait_minutes": 30, "max_waves": 4},
    )
    draft = campaign_create(
        user=manager,
        playbook=version,
        area={"latitude": SPARKBROOK[0], "longitude": SPARKBROOK[1], "radius_km": 5},
        organisation=org,
        name=hostile("campaign"),
    )
    finished = Campaign.objects.create(
        name=hostile("campaign-done"),
        playbook_version=version,
        organisation=org,
        area=draft.area,
        created_by=manager,
        spend_cap_pence=10_000,
        status=Campaign.Status.COMPLETED,
        started_at=timezone.now() - timedelta(hours=3),
        stop_reason=hostile("stop-reason"),
    )
    AfterActionReview.objects.create(
        campaign=finished,
        playbook=playbook,
        what_worked=hostile("aar-worked"),
        what_did_not=hostile("aar-not"),
        change_next_time=hostile("aar-change"),
        written_by=manager,
    )
    return {
        "org": org,
        "coordinator": coordinator,
        "manager": manager,
        "root": root,
        "need": need,
        "offer": offer,
        "helper": helper,
        "candidate": candidate,
        "group": group,
        "draft": draft,
        "finished": finished,
        "playbook": playbook,
        "version": version,
    }


def _get(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def test_every_staff_page_shows_the_payloads_as_text(world):
    coordinator = Client()
    coordinator.force_login(world["coordinator"])
    need = world["need"]

    body = _get(coordinator, "/")
    assert_shows(body, "dashboard", "org", "summary")

    body = _get(coordinator, "/needs/")
    assert_shows(body, "needs list", "summary")
    # The map's markers come as JSON in the page: </script> inside it must not end the script element.
    data = re.search(r'<script id="needs-map-data" type="application/json">(.*?)</script>', body, re.S)
    assert data, "the needs map's JSON is missing"
    assert in_json_script("summary") in data.group(1)

    body = _get(coordinator, f"/needs/{need.pk}/")
    assert_shows(body, "need page (offered)", "summary", "requester", "address", "details", "org", "helper")
    assert escaped("candidate") in body, "the candidate list does not show the volunteer's name"

    body = _get(coordinator, "/inbox/")
    assert_shows(body, "inbox", "sms", "helper", "sms-done")

    body = _get(coordinator, "/campaigns/coverage/")
    assert_shows(body, "coverage", "group")
    assert "[group]\\u003Cscript" in body  # the map popup's JSON carries the dormant group too

    manager = Client()
    manager.force_login(world["manager"])
    body = _get(manager, "/campaigns/")
    assert_shows(body, "campaign list", "campaign", "campaign-done", "org")

    body = _get(manager, f"/campaigns/{world['draft'].pk}/")  # the plan and its dry run
    assert_shows(body, "campaign dry run", "campaign", "org", "playbook", "group")
    assert f"[template]{escape(SCRIPT)}" in body, "the message preview does not show the template text"

    body = _get(manager, f"/campaigns/{world['finished'].pk}/")  # progress and the review
    assert_shows(
        body,
        "campaign progress and review",
        "campaign-done",
        "stop-reason",
        "aar-worked",
        "aar-not",
        "aar-change",
    )
    assert '<div id="progress-map"' in body


def test_the_offer_page_before_and_after_accepting_and_the_volunteer_page(world):
    volunteer = Client()
    path = offer_path(world["offer"])
    body = _get(volunteer, path)
    assert_shows(body, "offer page before accepting", "summary")
    assert escaped("requester") not in body  # not theirs yet

    response = volunteer.post(path, {"action": "accept"})
    assert response.status_code == 302
    assert Offer.objects.get(pk=world["offer"].pk).status == Offer.Status.ACCEPTED
    body = _get(volunteer, path)
    assert_shows(body, "offer page after accepting", "summary", "requester", "address", "details", "dietary")

    body = _get(volunteer, page_link_issue(volunteer=world["helper"]))
    assert_shows(body, "volunteer page", "helper")

    coordinator = Client()
    coordinator.force_login(world["coordinator"])
    body = _get(coordinator, f"/needs/{world['need'].pk}/")
    assert_shows(body, "need page (assigned)", "summary", "helper", "requester")
    body = _get(coordinator, "/needs/")
    assert_shows(body, "needs list (assigned)", "summary", "helper")


ADMIN_PAGES = {
    "/admin/needs/need/": ("summary",),
    "/admin/volunteers/volunteer/": ("helper", "candidate", "organiser"),
    "/admin/volunteers/mutualaidgroup/": ("group",),
    "/admin/volunteers/organisation/": ("org",),
    "/admin/messaging/inboundmessage/": (),  # the admin never shows what a text said (issue 13)
    "/admin/reactivation/playbook/": ("playbook",),
    "/admin/reactivation/campaign/": ("campaign", "campaign-done"),
    "/admin/reactivation/afteractionreview/": ("playbook",),
    "/admin/needs/offer/": (),
    "/admin/volunteers/membership/": ("group",),
}


def test_admin_changelists_and_change_pages_show_the_payloads_as_text(world):
    admin = Client()
    admin.force_login(world["root"])
    for path, tags in ADMIN_PAGES.items():
        assert_shows(_get(admin, path), path, *tags)
    change_pages = {
        f"/admin/needs/need/{world['need'].pk}/change/": ("summary", "details", "dietary"),
        f"/admin/volunteers/mutualaidgroup/{world['group'].pk}/change/": ("group", "group-notes"),
        f"/admin/reactivation/playbook/{world['playbook'].pk}/change/": ("playbook", "playbook-summary"),
        f"/admin/volunteers/organisation/{world['org'].pk}/change/": ("org",),
    }
    for path, tags in change_pages.items():
        assert_shows(_get(admin, path), path, *tags)
    inbound = InboundMessage.objects.filter(body=hostile("sms")).get()
    # What a text said is not shown in the admin at all (issue 13): inert, and absent.
    page = _get(admin, f"/admin/messaging/inboundmessage/{inbound.pk}/change/")
    assert_shows(page, "inbound change")
    assert "[sms]" not in page


def test_the_check_itself_fails_on_live_markup():
    """The assertions above can fail: unescaped text is caught, escaped text passes."""
    with pytest.raises(AssertionError):
        assert_inert(f"<p>{hostile('x')}</p>", "control")
    with pytest.raises(AssertionError):
        assert_inert('<a href="javascript:alert(1)">x</a>', "control")
    assert_shows(f"<p>{escaped('x')}</p>", "control", "x")


# --- in a real browser ------------------------------------------------------------------------------
@pytest.fixture
def live_db(transactional_db):
    """The live server needs committed rows; a transactional test's flush takes the local authorities."""
    local_authorities_restore()


def _popup_text(tab, map_id: str) -> str:
    """Open the first marker's popup (what a click does) and return what it shows."""
    tab.wait_for_selector(f"#{map_id}[data-ready]")
    tab.evaluate(f"document.getElementById('{map_id}').rekindleLayer.getLayers()[0].openPopup()")
    popup = tab.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("script, img, svg").count() == 0, "the popup holds live markup"
    return popup.text_content()


@pytest.mark.browser
def test_in_chromium_no_payload_runs_and_the_map_popups_show_it_as_text(
    live_db,
    world,
    page,
    live_server,
):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    # The detector works: the same payload, put into a page as markup, does fire.
    page.set_content(f"<p>{IMG}</p>")
    page.wait_for_function("document.images.length === 1 && document.images[0].complete")
    page.wait_for_timeout(200)
    assert dialogs == ["1"], "the dialog detector did not see a live payload"
    dialogs.clear()

    login(page, live_server, "cora2")
    page.goto(f"{live_server.url}/needs/")
    assert f"[summary]{SCRIPT}" in _popup_text(page, "needs-map")
    assert f"[summary]{SCRIPT}" in page.locator("table.data").inner_text()
    for path in (f"/needs/{world['need'].pk}/", "/inbox/", "/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
    page.goto(f"{live_server.url}/inbox/")
    assert f"[sms]{SCRIPT}" in page.locator("blockquote.sms").first.inner_text()
    page.goto(f"{live_server.url}/campaigns/coverage/")
    assert f"[group]{SCRIPT}" in _popup_text(page, "coverage-map")

    page.context.clear_cookies()
    login(page, live_server, "cam2")
    for campaign in (world["draft"], world["finished"]):
        page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
        page.wait_for_load_state("load")
    page.wait_for_selector("#progress-map[data-points]")  # the progress script ran to the end
    assert f"[aar-worked]{SCRIPT}" in page.locator("textarea").first.input_value()

    page.context.clear_cookies()
    page.goto(f"{live_server.url}{offer_path(world['offer'])}")
    page.get_by_role("button", name="Yes, I can help").click()
    page.wait_for_selector("text=Who and where")
    assert f"[dietary]{SCRIPT}" in page.locator("section.private").inner_text()

    flags = page.evaluate("[typeof window.__xss, document.querySelectorAll('img[src=x], svg').length]")
    assert flags == ["undefined", 0]
    assert dialogs == [], f"a payload ran: {dialogs}"
