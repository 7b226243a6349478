"""A coordinator's own pages in a real browser, axe-checked: the audit log, setting up two-factor
from their account page, and the code asked after the password."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.support import axe_check, login, screenshot
from tests.factories import NeedFactory
from volunteers.services import audit_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key):06d}"


def test_a_coordinator_reads_and_searches_the_audit_log(page, live_server, coordinator, brum_aid):
    need = NeedFactory(organisation=brum_aid, ref="BRM2")
    audit_record(
        actor=coordinator, action="need.create", target=need, organisation=brum_aid, detail={"ref": "BRM2"}
    )
    audit_record(actor=coordinator, action="need.cancel", target=need, organisation=brum_aid)
    login(page, live_server, "cora")
    page.get_by_role("link", name="Audit log").click()
    page.get_by_role("heading", name="Audit log").wait_for()
    assert page.get_by_role("link", name="Need BRM2").count() == 2
    axe_check(page)
    screenshot(page, "audit-log")
    page.get_by_label("What was done").select_option(label="Cancelled a need")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/audit/?action=need.cancel*")
    assert page.locator("#audit-lines tbody tr").count() == 1


def test_a_coordinator_sets_up_two_factor_and_is_asked_for_the_code(page, live_server, coordinator):
    login(page, live_server, "cora")
    page.get_by_role("link", name="Your account").click()
    page.get_by_role("button", name="Set up two-factor authentication").click()
    page.get_by_role("img", name="QR code for your authenticator app").wait_for()
    axe_check(page)
    page.get_by_label("Code from your app").fill(code_for(coordinator))
    page.get_by_role("button", name="Turn two-factor on").click()
    page.get_by_text("Two-factor authentication is on.").wait_for()
    axe_check(page)
    page.get_by_role("button", name="Sign out cora").click()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("cora")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Enter the code from your app").wait_for()
    axe_check(page)
    page.get_by_label("6-digit code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("That code did not match.").wait_for()
    axe_check(page)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        code = code_for(coordinator)  # the next code (the one used to enrol cannot be used again)
    page.wait_for_timeout(1100)  # django-otp waits a second after a wrong code, as a person would
    page.get_by_label("6-digit code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("button", name="Sign out cora").is_visible()
