"""A coordinator posts a need with the requester's consent to a text; a volunteer accepts; the
"help is coming" text reaches the local Twilio-compatible server through the real twilio client."""

import re

import pytest

from messaging.models import OutboundMessage
from needs.models import REQUESTER_CONSENT_WORDING, Need
from tests.browser.support import axe_check, login
from tests.factories import VolunteerFactory, local_authority
from volunteers.models import Postcode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_help_is_coming_is_texted_to_a_requester_who_agreed(
    page, phone_page, live_server, coordinator, brum_aid, twilio
):
    Postcode.objects.create(
        postcode="B1 1AA",
        district="B1",
        latitude=52.4796,
        longitude=-1.9026,
        local_authority=local_authority(),
    )
    VolunteerFactory(
        name="Nadia Near", phone="+447700900301", latitude=52.4801, longitude=-1.9030, skills=["shopping"]
    )  # a shopping need asks for the shopping skill unless it is unticked
    login(page, live_server, "cora")
    page.goto(f"{live_server.url}/needs/new/")
    page.get_by_label("What kind of help?").select_option("shopping")
    page.get_by_label("Short summary for volunteers").fill("Weekly shop")
    page.get_by_label("Postcode", exact=True).fill("B1 1AA")
    page.get_by_label("Name of the person who needs help").fill("Edna Example")
    page.get_by_label("Their phone number").fill("07700 900222")
    assert page.get_by_text(REQUESTER_CONSENT_WORDING).is_visible()  # the words to read to them
    page.get_by_label("They agree to a text when a volunteer is on the way").check()
    axe_check(page)
    page.get_by_role("button", name="Post the need").click()

    need = Need.objects.get(summary="Weekly shop")
    page.get_by_role("heading", name=re.compile(f"Need {need.ref}")).wait_for()
    page.get_by_label("How many volunteers to ask").fill("1")
    page.get_by_role("button", name="Text them the offer").click()
    page.get_by_text("Texted 1 volunteer: Nadia Near.").wait_for()

    offer_text = next(r for r in twilio.creates() if r.form["To"] == "+447700900301")
    phone_page.goto(live_server.url + re.search(r"/o/[\w-]+/", offer_text.form["Body"]).group(0))
    phone_page.get_by_role("button", name="Yes, I can help").click()
    phone_page.get_by_text("Thank you! It is yours.").wait_for()

    to_requester = [r.form["Body"] for r in twilio.creates() if r.form["To"] == "+447700900222"]
    assert len(to_requester) == 1
    assert "help is on its way. Nadia will come" in to_requester[0]
    assert "Near" not in to_requester[0]  # the volunteer's first name only
    assert OutboundMessage.objects.get(purpose="requester_help_coming").to == "+447700900222"
