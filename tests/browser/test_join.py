"""A neighbour signs up on a small phone screen and confirms the number with the texted code."""

import re

import pytest

from messaging.models import OutboundMessage
from tests.browser.support import axe_check, screenshot
from tests.factories import local_authority
from volunteers.forms import CONSENT_TEXT
from volunteers.models import Postcode, Volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_with_the_sms_code(phone_page, live_server):
    Postcode.objects.create(
        postcode="B23 5AA", district="B23", latitude=52.52, longitude=-1.84, local_authority=local_authority()
    )
    page = phone_page
    page.goto(f"{live_server.url}/join/")
    axe_check(page)
    page.get_by_label("Your name").fill("Priya Patel")
    page.get_by_label("Mobile number").fill("07700 900123")
    page.get_by_label("Postcode").fill("b23 5aa")
    page.get_by_label("Shopping").check()
    page.get_by_label("Punjabi").check()
    page.get_by_role("button", name="Text me a code").click()
    # Forgot to agree: a clear error, and nothing typed is lost.
    page.get_by_text("Please tick 'I agree' so that we may text you.").wait_for()
    assert page.get_by_label("Your name").input_value() == "Priya Patel"
    axe_check(page)
    screenshot(page, "join-on-a-phone")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Text me a code").click()

    page.get_by_role("heading", name="Enter the code we texted you").wait_for()
    sms = OutboundMessage.objects.get(to="+447700900123", purpose="signup_code")
    code = re.search(r"\b(\d{6})\b", sms.body).group(1)
    assert not Volunteer.objects.exists()  # nothing is written until the number is confirmed
    axe_check(page)
    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label("The 6-digit code we texted you").fill(wrong)
    page.get_by_role("button", name="Confirm my number").click()
    page.get_by_text("That code is not right. You have 4 tries left.").wait_for()
    page.get_by_label("The 6-digit code we texted you").fill(code)
    page.get_by_role("button", name="Confirm my number").click()

    page.get_by_text("Welcome, Priya Patel.").wait_for()
    volunteer = Volunteer.objects.get(phone="+447700900123")
    assert volunteer.consent_text == CONSENT_TEXT
    assert volunteer.consent_channel == "web" and volunteer.consent_at is not None
    assert volunteer.skills == ["shopping"] and volunteer.languages == ["en", "pa"]
    assert volunteer.postcode == "B23 5AA" and volunteer.local_authority.name == "Birmingham"
    axe_check(page)

    # Their own page: take a break, and choose when they can help.
    page.get_by_label("No, I am taking a break").check()
    page.get_by_label("Saturday morning").check()
    page.get_by_label("Saturday afternoon").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("You are taking a break").first.wait_for()
    volunteer.refresh_from_db()
    assert volunteer.status == "paused"
    assert volunteer.availability == {"sat": [["09:00", "17:00"]]}
    axe_check(page)
    screenshot(page, "volunteer-page-on-a-phone")
