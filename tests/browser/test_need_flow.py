"""A coordinator posts a need and offers it; the volunteer accepts through the link in the text;
the coordinator sees who accepted. axe runs on every page on the way."""

import re

import pytest

from messaging.models import OutboundMessage
from needs.models import Need
from tests.browser.support import axe_check, login, screenshot
from tests.factories import MutualAidGroupFactory, VolunteerFactory, local_authority
from volunteers.models import Postcode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postcodes(db):
    brum = local_authority("Birmingham")
    Postcode.objects.create(
        postcode="B1 1AA", district="B1", latitude=52.4796, longitude=-1.9026, local_authority=brum
    )
    Postcode.objects.create(
        postcode="B1 2AA", district="B1", latitude=52.4806, longitude=-1.9046, local_authority=brum
    )


def test_post_offer_accept_and_see_the_assignment(
    page, phone_page, live_server, coordinator, brum_aid, postcodes, settings
):
    # A normal need's offer waits for 08:00 in quiet hours, and the page then says "held until"
    # (tests/needs/test_quiet_hours.py): this walk-through is the daytime one, whatever the clock.
    settings.SMS_QUIET_HOURS = None
    # A prescription need asks for the prescriptions skill unless the coordinator unticks it.
    near = VolunteerFactory(name="Nadia Near", latitude=52.4801, longitude=-1.9030, skills=["prescriptions"])
    VolunteerFactory(name="Fred Further", latitude=52.4900, longitude=-1.9100, skills=["prescriptions"])
    MutualAidGroupFactory(organisation=brum_aid, status="dormant", name="Ladywood Larder", missed_checks=2)
    login(page, live_server, "cora")
    axe_check(page)

    page.get_by_role("link", name="Post a need").first.click()
    page.get_by_label("What kind of help?").select_option("prescription")
    page.get_by_label("Short summary for volunteers").fill("Collect a repeat prescription")
    postcode = page.get_by_label("Postcode", exact=True)
    postcode.fill("B1 9ZZZ")
    status = page.locator("#postcode-status")
    status.get_by_text("not").wait_for()  # checked as it is typed: a bad postcode is flagged
    postcode.fill("b11aa")
    status.get_by_text("Found B1 1AA, Birmingham.").wait_for()
    page.get_by_label("Name of the person who needs help").fill("Edna Example")
    page.get_by_label("Their phone number").fill("0121 496 0000")
    page.get_by_label("Their address").fill("1 Example Road")
    axe_check(page)
    screenshot(page, "post-a-need")
    page.get_by_role("button", name="Post the need").click()

    need = Need.objects.get(summary="Collect a repeat prescription")
    page.get_by_role("heading", name=f"Need {need.ref}: Collect a repeat prescription").wait_for()
    candidates = page.locator("ol.candidates > li")
    assert candidates.first.inner_text().startswith("Nadia Near")  # the nearest first, with why
    assert (
        "among people about as near, those who helped less lately are asked first"
        in candidates.first.inner_text()
    )
    assert page.get_by_text("Edna Example").is_visible()  # the coordinator sees the requester
    axe_check(page)
    screenshot(page, "need-candidates")

    page.get_by_label("How many volunteers to ask").fill("1")
    page.get_by_role("button", name="Text them the offer").click()
    page.get_by_text("Texted 1 volunteer: Nadia Near.").wait_for()
    assert page.locator("#need-status").inner_text() == "Offered"

    sms = OutboundMessage.objects.get(volunteer=near, purpose="offer")
    assert "Edna" not in sms.body and "Example Road" not in sms.body  # no personal data before accepting
    path = re.search(r"/o/[\w-]+/", sms.body).group(0)

    phone_page.goto(live_server.url + path)
    assert phone_page.get_by_role("heading", name="Can you help?").is_visible()
    assert phone_page.get_by_text("Collect a repeat prescription").is_visible()
    assert not phone_page.get_by_text("Edna Example").count()  # not yet: only after accepting
    axe_check(phone_page)
    screenshot(phone_page, "offer-on-a-phone")
    phone_page.get_by_role("button", name="Yes, I can help").click()
    phone_page.get_by_text("Thank you! It is yours.").wait_for()
    assert phone_page.get_by_text("Edna Example").is_visible()
    assert phone_page.get_by_role("link", name="0121 496 0000").is_visible()
    axe_check(phone_page)
    screenshot(phone_page, "offer-accepted-on-a-phone")

    # The coordinator's home page says who accepted; "Seen" takes it off the list.
    page.goto(f"{live_server.url}/")
    accepted = page.locator("#newly-assigned")
    assert "Nadia Near" in accepted.inner_text() and need.ref in accepted.inner_text()
    assert page.locator("#register-freshness").get_by_text("Stale: missed two checks").is_visible()
    axe_check(page)
    screenshot(page, "dashboard-attention")
    accepted.get_by_role("button", name=re.compile("Seen")).click()
    page.get_by_text(f"Need {need.ref}: noted that you have seen who is helping.").wait_for()
    assert page.locator("#newly-assigned").count() == 0

    page.goto(f"{live_server.url}/needs/{need.pk}/")
    assert page.locator("#need-status").inner_text() == "Assigned"
    assert page.locator("#assigned-to").inner_text() == "Nadia Near"
    page.get_by_role("button", name="Mark done").click()
    page.get_by_text(f"Need {need.ref} is marked done.").wait_for()
    need.refresh_from_db()
    assert need.status == Need.Status.DONE


def test_the_needs_map_shows_markers_with_no_tiles(page, live_server, coordinator, brum_aid, postcodes):
    from tests.factories import NeedFactory

    NeedFactory(organisation=brum_aid, summary="Hot meal", latitude=52.47, longitude=-1.89)
    NeedFactory(organisation=brum_aid, summary="Shopping run", latitude=52.49, longitude=-1.91)
    login(page, live_server, "cora")
    page.goto(f"{live_server.url}/needs/")
    page.wait_for_selector("#needs-map[data-ready='2']")
    assert page.locator("#needs-map path.leaflet-interactive").count() == 2
    assert page.locator("#needs-map img.leaflet-tile").count() == 0  # no tile URL: no tiles asked for
    assert page.get_by_role("cell", name=re.compile("Hot meal")).is_visible()
    axe_check(page)
    screenshot(page, "open-needs-map")
