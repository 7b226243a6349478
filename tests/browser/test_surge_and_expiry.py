"""A coordinator's busy day: thirty needs offered in one go from the surge page (every offer
reaches the local Twilio-compatible server through the real twilio client), and a need whose
window ends expires: its page says so and the volunteer's link says it has ended. axe runs on
every new page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from messaging.models import OutboundMessage
from needs.models import Need, Offer
from needs.services.expiry import needs_expire_due
from tests.browser.support import axe_check, login, screenshot
from tests.factories import NeedFactory, VolunteerFactory, local_authority

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LAT, LON = 52.4796, -1.9026
SURGE = 30


def surge_of_needs(brum_aid) -> list[Need]:
    """Thirty needs about a kilometre apart, each with a volunteer nearby; the last one posted is
    wanted within the next hour."""
    brum = local_authority("Birmingham")
    needs = []
    for i in range(SURGE):
        lat, lon = LAT + (i // 6) * 0.009, LON + (i % 6) * 0.014
        VolunteerFactory(name=f"Volunteer {i:02d}", latitude=lat + 0.002, longitude=lon, max_travel_km=5)
        window = {}
        if i == SURGE - 1:
            start = timezone.now() + timedelta(minutes=5)
            window = {"window_start": start, "window_end": start + timedelta(hours=1)}
        needs.append(
            NeedFactory(
                organisation=brum_aid,
                summary=f"Shopping run {i:02d}",
                latitude=lat,
                longitude=lon,
                postcode="B1 1AA",
                local_authority=brum,
                created_at=timezone.now() - timedelta(minutes=SURGE - i),
                **window,
            )
        )
    return needs


def test_a_surge_of_thirty_is_offered_in_one_go_and_a_need_expires_at_the_end_of_its_window(
    page, phone_page, live_server, coordinator, brum_aid, twilio
):
    needs = surge_of_needs(brum_aid)
    login(page, live_server, "cora")
    page.get_by_role("link", name="Offer many at once").first.click()
    page.get_by_role("heading", name="Offer many needs at once").wait_for()
    summary = page.locator("#surge-summary").inner_text()
    assert summary.startswith(f"{SURGE} needs waiting. A volunteer is proposed for {SURGE} of them")
    assert "in the order they were posted" in summary  # set against first come, first served
    assert page.locator("#surge-plan tbody tr").count() == SURGE
    page.locator("#surge-map[data-ready]").wait_for(state="attached")
    assert page.locator("#surge-map").get_attribute("data-ready") == str(SURGE)  # every need on the map
    axe_check(page)
    screenshot(page, "surge")

    page.get_by_role("button", name=f"Send all {SURGE} offers").click()
    page.get_by_text(f"{SURGE} needs offered.").wait_for()
    assert page.locator("#surge-offered tbody tr").count() == SURGE
    axe_check(page)

    offers = Offer.objects.filter(status=Offer.Status.OFFERED)
    assert offers.count() == SURGE and len({o.volunteer_id for o in offers}) == SURGE
    sent = [r.form for r in twilio.creates()]
    assert len(sent) == SURGE  # every offer left through the outbox and the real twilio client
    assert {f["To"] for f in sent} == {o.volunteer.phone for o in offers.select_related("volunteer")}
    assert OutboundMessage.objects.filter(purpose="offer", state=OutboundMessage.State.SENT).count() == SURGE

    # The last need's window ends: the job closes it, and everyone sees that it has ended.
    ending = needs[-1]
    text = next(f["Body"] for f in sent if ending.ref in f["Body"])
    link = re.search(r"/o/[\w-]+/", text).group(0)
    with time_machine.travel(ending.window_end + timedelta(minutes=2)):
        assert needs_expire_due() == {"expired": 1}
        page.goto(f"{live_server.url}/needs/{ending.pk}/")
        assert page.locator("#need-status").inner_text() == "Expired"
        page.get_by_text("its time passed before anyone took it").wait_for()
        axe_check(page)
        phone_page.goto(live_server.url + link)
        phone_page.get_by_text("This request has ended: the time it was for has passed.").wait_for()
        axe_check(phone_page)
    assert len(twilio.creates()) == SURGE  # the volunteer was told nothing more by text
    assert Need.objects.filter(status=Need.Status.OFFERED).count() == SURGE - 1


def test_skills_suggested_at_posting_then_the_need_changed_and_handed_over(
    page, live_server, coordinator, brum_aid, infrastructure, settings
):
    from volunteers.models import Postcode

    settings.SMS_QUIET_HOURS = None
    Postcode.objects.create(
        postcode="B1 1AA", district="B1", latitude=LAT, longitude=LON, local_authority=local_authority()
    )
    VolunteerFactory(name="Dev Driver", latitude=LAT + 0.002, longitude=LON, skills=["driving"], has_car=True)
    VolunteerFactory(name="Dina Digital", latitude=LAT + 0.001, longitude=LON, skills=["digital_help"])
    login(page, live_server, "cora")
    page.goto(f"{live_server.url}/needs/new/")
    page.get_by_label("What kind of help?").select_option("transport")
    assert page.get_by_label("Driving people or things").is_checked()  # suggested for a lift
    assert not page.get_by_label("Shopping", exact=True).is_checked()
    page.get_by_label("Short summary for volunteers").fill("A lift to the surgery")
    page.get_by_label("Postcode", exact=True).fill("B1 1AA")
    page.get_by_role("button", name="Post the need").click()
    need = Need.objects.get(summary="A lift to the surgery")
    assert need.skills == ["driving"]
    page.get_by_text("Driving people or things", exact=True).wait_for()  # the need says what it asks for
    candidates = page.locator("ol.candidates > li")
    assert candidates.count() == 1 and candidates.first.inner_text().startswith("Dev Driver")

    page.get_by_role("link", name="Change this need").click()
    page.get_by_role("heading", name=f"Change need {need.ref}").wait_for()
    axe_check(page)
    page.get_by_label("How urgent?").select_option("high")
    page.get_by_role("button", name="Save the changes").click()
    page.get_by_text(f"Need {need.ref} is changed.").wait_for()

    page.get_by_role("link", name="Hand it to another organisation").click()
    page.get_by_role("heading", name=f"Hand need {need.ref} to another organisation").wait_for()
    axe_check(page)
    page.get_by_label("Hand it to").select_option(label="West Midlands Infrastructure")
    page.get_by_role("button", name="Hand it over").click()
    page.get_by_text(f"Need {need.ref} is now with West Midlands Infrastructure").wait_for()
    need.refresh_from_db()
    assert need.organisation == infrastructure and need.urgency == "high"
