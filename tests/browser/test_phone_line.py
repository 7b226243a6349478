"""The phone simulator takes a call to the requests line, in Chromium (issue 17): the keys are
buttons, the message is typed, the postcode said; the call lands in the covering organisation's
inbox with its number, a player for the message and a way to start a need. axe on each page."""

import pytest

from messaging.models import InboundCall
from tests.browser.support import axe_check, login, screenshot
from tests.factories import local_authority
from volunteers.models import Postcode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_call_walked_through_the_simulator_reaches_the_coordinator(
    page, live_server, settings, coordinator, brum_aid
):
    settings.DEBUG = True
    settings.PHONE_LINE_DUTY_NUMBER = "+441214960000"
    Postcode.objects.create(
        postcode="B23 6SN", district="B23", latitude=52.53, longitude=-1.83, local_authority=local_authority()
    )
    page.goto(f"{live_server.url}/sms/simulator/")
    page.get_by_role("link", name="Calls").click()
    page.get_by_label("Call from this number").fill("0121 496 0123")
    page.get_by_role("button", name="Call the service").click()
    page.get_by_text("If anyone is in danger, hang up and call 999.").wait_for()
    assert page.get_by_text("To speak to the duty coordinator, press 2.", exact=False).is_visible()
    axe_check(page)
    page.get_by_role("button", name="Press 1").click()
    page.get_by_text("You pressed 1.").wait_for()
    page.get_by_label("Your message (typed in place of speech)").fill(
        "Hello, this is Edna. I need my prescription collected from the chemist, please."
    )
    axe_check(page)
    screenshot(page, "phone-simulator-call")
    page.get_by_role("button", name="Finish the message (press #)").click()
    page.get_by_text("please say your postcode now", exact=False).wait_for()
    page.get_by_label("Or say something (typed in place of speech)").fill("B23 6SN")
    page.get_by_role("button", name="Say it").click()
    page.get_by_text("A person will listen to your message and call you back. Goodbye.").wait_for()
    assert page.get_by_role("heading", name="The call from +441214960123 has ended").is_visible()
    call = InboundCall.objects.get()
    assert (call.outcome, call.postcode) == ("message", "B23 6SN")

    login(page, live_server, "cora")
    page.get_by_role("link", name="Inbox").click()
    page.get_by_role("heading", name="A call from 0121 496 0123").wait_for()
    assert page.get_by_text("Postcode given: B23 6SN", exact=False).is_visible()
    assert page.locator(f'audio[src="/inbox/calls/{call.pk}/recording.mp3"]').count() == 1
    axe_check(page)
    screenshot(page, "inbox-call")
    page.get_by_role("link", name="Start a need from this call").click()
    page.get_by_text("Started from a call to the phone line.", exact=False).wait_for()
    assert page.get_by_label("Their phone number").input_value() == "0121 496 0123"
    axe_check(page)
