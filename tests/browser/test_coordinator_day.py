"""A coordinator's day (issue 15): a text from a number nobody knows becomes a need, it is offered,
the volunteer accepts by text (a signed webhook, as Twilio sends it), an alert email arrives when
nobody is left for a second need, and the register's pages work. axe-core runs on every new page."""

from __future__ import annotations

import itertools
import re

import pytest
from django.core import mail
from django.test import Client
from twilio.request_validator import RequestValidator

from messaging import transports
from messaging.models import OutboundMessage
from needs.models import Need
from tests.browser.support import axe_check, login
from tests.factories import MembershipFactory, MutualAidGroupFactory, VolunteerFactory, local_authority
from volunteers.models import Postcode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKEN = "test-auth-token"
_sids = itertools.count(1)


@pytest.fixture
def day(settings, coordinator, brum_aid):
    settings.SMS_BACKEND = "locmem"
    settings.SMS_TASKS_SYNC = True  # the handling runs as the webhook's transaction commits
    settings.SMS_QUIET_HOURS = None
    settings.SMS_MAX_PER_SECOND = 100000
    settings.PUBLIC_BASE_URL = "http://testserver"
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    transports.outbox.clear()
    coordinator.email = "cora@brum-aid.example"
    coordinator.save()
    Postcode.objects.create(
        postcode="B1 1AA",
        district="B1",
        latitude=52.4796,
        longitude=-1.9026,
        local_authority=local_authority(),
    )
    nadia = VolunteerFactory(
        name="Nadia Near",
        phone="+447700900101",
        latitude=52.4801,
        longitude=-1.9030,
        skills=["shopping", "prescriptions"],
    )
    # Nearer still, but only for help with phones and computers: left out of a shopping need.
    VolunteerFactory(
        name="Dev Digital",
        phone="+447700900102",
        latitude=52.4797,
        longitude=-1.9027,
        skills=["digital_help"],
    )
    larder = MutualAidGroupFactory(name="Ladywood Larder", organisation=brum_aid, status="dormant")
    MembershipFactory(volunteer=nadia, group=larder)
    yield nadia
    transports.outbox.clear()


def text_in(body: str, *, phone: str) -> None:
    """A text to the service through the signed webhook, as Twilio posts it."""
    params = {"MessageSid": f"SMday{next(_sids):029d}", "From": phone, "To": "+447700900000", "Body": body}
    signature = RequestValidator(TOKEN).compute_signature("http://testserver/sms/twilio/inbound/", params)
    response = Client().post("/sms/twilio/inbound/", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200


def test_a_coordinators_day(page, live_server, day, coordinator, brum_aid):
    nadia = day
    # Morning: a person nobody knows texts for help.
    text_in("I need help with shopping, I live at B1 1AA", phone="+447700900777")
    kind = OutboundMessage.objects.get(purpose="request_reply")
    assert kind.to == "+447700900777" and "A person from Brum Aid will call you back" in kind.body

    login(page, live_server, "cora")
    page.get_by_role("link", name="Inbox").click()
    assert page.get_by_text("Possible request for help").is_visible()
    axe_check(page)
    page.get_by_role("link", name="Start a need from this text").click()
    assert page.get_by_label("Their phone number").input_value() == "07700 900777"
    assert page.get_by_label("Postcode", exact=True).input_value() == "B1 1AA"
    page.locator("#postcode-status").get_by_text("Found B1 1AA, Birmingham.").wait_for()
    axe_check(page)
    page.get_by_label("What kind of help?").select_option("shopping")
    page.get_by_label("Short summary for volunteers").fill("Weekly shop from the corner shop")
    page.get_by_role("button", name="Post the need").click()
    need = Need.objects.get(summary="Weekly shop from the corner shop")
    assert need.requester_phone == "+447700900777" and need.postcode == "B1 1AA"

    # It is offered, and the volunteer says yes by text.
    page.get_by_role("heading", name=re.compile(f"Need {need.ref}")).wait_for()
    assert page.get_by_text("The text it came from is marked dealt with.").is_visible()
    # Offered by skills: the nearest volunteer cannot shop for them, and the page says why.
    assert page.locator("ol.candidates > li").count() == 1
    assert "Has not helped in the last 30 days" in page.locator("ol.candidates > li").first.inner_text()
    page.get_by_text("Who was left out, and why").click()
    assert page.get_by_text("1 does not have every skill the need asks for").is_visible()
    page.get_by_label("How many volunteers to ask").fill("1")
    page.get_by_role("button", name="Text them the offer").click()
    page.get_by_text("Texted 1 volunteer: Nadia Near.").wait_for()
    text_in(f"yes {need.ref}", phone=nadia.phone)
    page.reload()
    assert page.locator("#need-status").inner_text() == "Assigned"
    assert page.locator("#helper-phone").inner_text() == "07700 900101"  # to reach the helper

    # Afternoon: a second need; its only candidate says no by text, and nobody within reach is
    # left: the coordinator gets an email.
    page.goto(f"{live_server.url}/needs/new/")
    page.get_by_label("What kind of help?").select_option("prescription")
    page.get_by_label("Short summary for volunteers").fill("Collect a prescription")
    page.get_by_label("Postcode", exact=True).fill("B1 1AA")
    page.get_by_role("button", name="Post the need").click()
    second = Need.objects.get(summary="Collect a prescription")
    page.get_by_role("heading", name=re.compile(f"Need {second.ref}")).wait_for()
    page.get_by_role("button", name="Text them the offer").click()
    page.get_by_text("Texted 1 volunteer: Nadia Near.").wait_for()
    assert not [m for m in mail.outbox if "Nobody within reach" in m.subject]
    text_in(f"no {second.ref}", phone=nadia.phone)
    subjects = [m.subject for m in mail.outbox]
    assert f"Nobody within reach is left for need {second.ref}" in subjects
    assert mail.outbox[subjects.index(f"Nobody within reach is left for need {second.ref}")].to == [
        "cora@brum-aid.example"
    ]

    # The register: groups, volunteers (search, pause), closed needs.
    page.get_by_role("link", name="Groups", exact=True).click()
    assert page.get_by_role("cell", name="Ladywood Larder Mutual-aid group, Brum Aid").is_visible()
    assert page.get_by_text("Contact last confirmed never").is_visible()
    page.wait_for_selector("#groups-map[data-ready]")
    axe_check(page)
    page.get_by_role("link", name="Edit Ladywood Larder").click()
    axe_check(page)
    page.get_by_label("Name").fill("Ladywood Community Larder")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Ladywood Community Larder is saved.").wait_for()

    page.get_by_role("link", name="Volunteers", exact=True).click()
    page.get_by_label("Name, postcode or phone").fill("07700 900101")
    page.get_by_role("button", name="Search").click()
    row = page.locator("#volunteers tbody tr")
    assert row.count() == 1 and "Nadia Near" in row.inner_text() and "Shopping" in row.inner_text()
    page.wait_for_selector("#volunteers-map[data-ready]")
    axe_check(page)
    page.get_by_role("button", name="Pause Nadia Near").click()
    page.get_by_text("Nadia Near is paused: no offers or call-outs until resumed.").wait_for()
    nadia.refresh_from_db()
    assert nadia.status == "paused"
    page.get_by_role("link", name="Edit Nadia Near").click()
    axe_check(page)

    page.goto(f"{live_server.url}/needs/")
    page.get_by_role("link", name=re.compile("See the closed needs")).click()
    assert page.get_by_text("No closed need of your organisations matches.").is_visible()
    axe_check(page)
