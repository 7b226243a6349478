"""Staff accounts as a council would require: /admin/login/ throttled exactly like /login/ (the same
counters, in the cache, shared by every worker; atomic under parallel attempts), optional
two-factor authentication enrolled from the person's own page, its code asked after the password
at /login/ and at /admin/login/, and required for superusers when the setting says so."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connections
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.throttling import login_attempt_reserve
from tests.factories import UserFactory
from volunteers.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"  # every factory user's


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


def sign_in(client, path, username, password, **extra):
    return client.post(path, {"username": username, "password": password, **extra})


def code_now(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- the admin's sign-in is throttled like /login/ ------------------------------------------------------
def test_forty_wrong_admin_passwords_are_refused_after_ten(admin_user):
    attacker = Client(REMOTE_ADDR="192.0.2.10")
    answers = [sign_in(attacker, "/admin/login/", "admin", f"guess-{i}").status_code for i in range(40)]
    assert answers == [200] * 10 + [429] * 30
    refused = sign_in(attacker, "/admin/login/", "admin", PASSWORD)  # even the right one, while blocked
    assert refused.status_code == 429 and not signed_in(attacker)
    assert "Too many attempts, try again in 15 minutes." in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= 15 * 60
    # The username is blocked from anywhere, and so is /login/: one set of counters.
    assert sign_in(Client(REMOTE_ADDR="192.0.2.99"), "/login/", "admin", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        answer = sign_in(Client(REMOTE_ADDR="192.0.2.99"), "/admin/login/", "admin", PASSWORD, next="/admin/")
        assert answer.status_code == 302 and answer["Location"] == "/admin/"


def test_login_and_the_admin_share_one_count(coordinator):
    guesser = Client(REMOTE_ADDR="192.0.2.11")
    for i in range(5):
        assert sign_in(guesser, "/login/", "cora", f"a-{i}").status_code == 200
        assert sign_in(guesser, "/admin/login/", "cora", f"b-{i}").status_code == 200
    assert sign_in(guesser, "/login/", "cora", PASSWORD).status_code == 429
    assert sign_in(guesser, "/admin/login/", "cora", PASSWORD).status_code == 429


def test_the_reservation_lets_exactly_the_allowed_number_through_at_once(rf):
    """Forty threads ask at the same instant: ten may check a password, thirty are refused, and the
    refused ones are not left on the counts."""
    barrier = threading.Barrier(40)
    results: list[int] = []
    lock = threading.Lock()

    def attempt():
        request = rf.post("/admin/login/", REMOTE_ADDR="192.0.2.12")
        barrier.wait()
        seconds = login_attempt_reserve(request, "admin")
        with lock:
            results.append(seconds)

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(0) == 10 and len(results) == 40
    assert login_attempt_reserve(rf.post("/", REMOTE_ADDR="192.0.2.13"), "admin") > 0  # the user's ten
    assert login_attempt_reserve(rf.post("/", REMOTE_ADDR="192.0.2.12"), "someone") > 0  # the address's ten


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_wrong_passwords_at_the_admin_get_ten_checked(admin_user):
    barrier = threading.Barrier(40)
    answers: list[int] = []
    lock = threading.Lock()

    def attempt(i):
        client = Client(REMOTE_ADDR="192.0.2.14")
        barrier.wait()
        try:
            status = sign_in(client, "/admin/login/", "admin", f"guess-{i}").status_code
        finally:
            connections.close_all()
        with lock:
            answers.append(status)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [200] * 10 + [429] * 30


# --- two-factor: enrolment from the person's own page ---------------------------------------------------
def enrol(client, user):
    client.force_login(user)
    client.post("/account/", {"action": "start"})
    page = client.get("/account/").content.decode()
    assert "<svg" in page and 'aria-label="QR code for your authenticator app"' in page
    assert 'id="totp-secret"' in page
    response = client.post("/account/", {"action": "confirm", "code": code_now(user)}, follow=True)
    assert "Two-factor authentication is on." in response.content.decode()


def test_a_coordinator_turns_two_factor_on_with_a_code_from_their_app(client, coordinator):
    client.force_login(coordinator)
    assert "Off: your password alone signs you in." in client.get("/account/").content.decode()
    client.post("/account/", {"action": "start"})
    wrong = client.post("/account/", {"action": "confirm", "code": "000000"}, follow=True).content.decode()
    assert "That code did not match." in wrong
    assert not TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists()
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        response = client.post("/account/", {"action": "confirm", "code": code_now(coordinator)}, follow=True)
    assert "Two-factor authentication is on." in response.content.decode()
    assert TOTPDevice.objects.get(user=coordinator).confirmed
    assert AuditEvent.objects.filter(actor=coordinator, action="account.two_factor_on").count() == 1


def test_with_two_factor_on_the_password_alone_does_not_sign_in_at_login(coordinator):
    enrol(Client(), coordinator)
    browser = Client(REMOTE_ADDR="192.0.2.20")
    answer = sign_in(browser, "/login/", "cora", PASSWORD, next="/needs/")
    assert answer.status_code == 302 and answer["Location"] == "/login/code/"
    assert not signed_in(browser)
    assert browser.get("/needs/").status_code == 302  # still signed out
    page = browser.post("/login/code/", {"code": "123456"}).content.decode()
    assert "That code did not match." in page and not signed_in(browser)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        answer = browser.post("/login/code/", {"code": code_now(coordinator)})
    assert answer.status_code == 302 and answer["Location"] == "/needs/"
    assert signed_in(browser)
    assert browser.get("/needs/").status_code == 200


def test_the_admin_asks_for_the_code_after_the_password_too(admin_user):
    enrol(Client(), admin_user)
    browser = Client(REMOTE_ADDR="192.0.2.21")
    answer = sign_in(browser, "/admin/login/", "admin", PASSWORD, next="/admin/")
    assert answer["Location"] == "/login/code/" and not signed_in(browser)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        answer = browser.post("/login/code/", {"code": code_now(admin_user)})
    assert answer["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


def test_an_admin_session_that_skipped_the_code_is_refused_the_admin(admin_user):
    enrol(Client(), admin_user)
    browser = Client()
    browser.force_login(admin_user)  # signed in, never verified (a session from before two-factor)
    answer = browser.get("/admin/")
    assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/")


def test_wrong_codes_are_throttled_like_passwords(coordinator):
    enrol(Client(), coordinator)
    browser = Client(REMOTE_ADDR="192.0.2.22")
    sign_in(browser, "/login/", "cora", PASSWORD)  # the password counts as one attempt
    for i in range(9):
        assert browser.post("/login/code/", {"code": f"{i:06d}"}).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        answer = browser.post("/login/code/", {"code": code_now(coordinator)})
    assert answer.status_code == 429 and not signed_in(browser)


def test_the_code_step_expires_after_five_minutes(coordinator):
    enrol(Client(), coordinator)
    browser = Client(REMOTE_ADDR="192.0.2.23")
    sign_in(browser, "/login/", "cora", PASSWORD)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        answer = browser.post("/login/code/", {"code": code_now(coordinator)}, follow=True)
    assert "Please sign in again" in answer.content.decode() and not signed_in(browser)


def test_turning_two_factor_off_needs_a_current_code_and_is_audited(client, coordinator):
    enrol(client, coordinator)
    page = client.post("/account/", {"action": "remove", "code": "000000"}, follow=True).content.decode()
    assert "That code did not match." in page and TOTPDevice.objects.filter(user=coordinator).exists()
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        page = client.post("/account/", {"action": "remove", "code": code_now(coordinator)}, follow=True)
    assert "Two-factor authentication is off." in page.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert AuditEvent.objects.filter(actor=coordinator, action="account.two_factor_off").exists()


# --- required for superusers when the setting says so ---------------------------------------------------
def test_a_superuser_must_set_up_two_factor_when_the_setting_requires_it(settings, admin_user):
    settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = True
    browser = Client(REMOTE_ADDR="192.0.2.24")
    assert sign_in(browser, "/login/", "admin", PASSWORD).status_code == 302
    for path in ("/", "/needs/", "/admin/"):
        answer = browser.get(path)
        assert answer.status_code == 302 and answer["Location"] == "/account/?required=1", path
    assert browser.get("/api/v1/needs/").json()["error"]["code"] == "two_factor_required"
    page = browser.get("/account/?required=1").content.decode()
    assert "Your account must use two-factor authentication." in page
    browser.post("/account/", {"action": "start"})
    browser.post("/account/", {"action": "confirm", "code": code_now(admin_user)})
    assert browser.get("/admin/").status_code == 200  # verified by the enrolment itself
    page = browser.get("/account/").content.decode()
    assert "Your account must keep it on." in page and "Turn two-factor off" not in page


def test_without_the_setting_a_superuser_may_go_without(settings, admin_user):
    settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = False
    browser = Client()
    assert sign_in(browser, "/admin/login/", "admin", PASSWORD, next="/admin/")["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


def test_the_setting_does_not_touch_other_staff(settings, coordinator):
    settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = True
    browser = Client()
    sign_in(browser, "/login/", "cora", PASSWORD)
    assert browser.get("/needs/").status_code == 200
