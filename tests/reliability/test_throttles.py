"""Throttles: the API's anonymous and per-user rates, staff sign-in per address and per username,
/join/ code requests per address, and the Twilio webhooks deliberately left unthrottled."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from messaging.models import InboundMessage, OutboundMessage
from tests.factories import local_authority
from tests.reliability.security_support import INBOUND_PATH, PUBLIC_BASE_URL, WEBHOOK_TOKEN, signature_for
from volunteers.models import Postcode

pytestmark = [pytest.mark.reliability, pytest.mark.django_db]

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    settings.TWILIO_AUTH_TOKEN = WEBHOOK_TOKEN
    settings.SMS_BACKEND = "locmem"
    settings.SMS_TASKS_SYNC = True
    settings.SMS_QUIET_HOURS = None
    cache.clear()
    yield
    cache.clear()


def _assert_throttled_api(response) -> None:
    assert response.status_code == 429
    body = json.loads(response.content)
    assert set(body) == {"error"}
    assert body["error"]["code"] == "throttled"
    assert "Request was throttled" in body["error"]["message"]
    assert int(response["Retry-After"]) > 0


# --- the API ----------------------------------------------------------------------------------------
def test_the_apis_anonymous_throttle_answers_429_in_the_one_error_format(settings):
    """No token and a wrong token count alike (the API throttles before it refuses a login), at
    the configured rate; another address has its own allowance."""
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]
    allowed = int(rate.split("/")[0])
    assert rate.endswith("/minute") and allowed > 0
    stranger = Client(REMOTE_ADDR="203.0.113.7")
    guesser = Client(REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Token " + "0" * 40)
    answers = [(guesser if i % 2 else stranger).get("/api/v1/needs/").status_code for i in range(allowed)]
    assert answers == [401] * allowed
    _assert_throttled_api(stranger.get("/api/v1/needs/"))
    _assert_throttled_api(guesser.get("/api/v1/volunteers/"))
    assert Client(REMOTE_ADDR="203.0.113.8").get("/api/v1/needs/").status_code == 401
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=61)):
        assert stranger.get("/api/v1/needs/").status_code == 401  # the minute has passed


def test_the_apis_user_throttle_answers_429_in_the_one_error_format(coordinator, monkeypatch, settings):
    """Per user, whatever the address. The configured 1,200 a minute is lowered for the test (DRF
    reads its rates when the throttle classes are defined, so the class's table is patched)."""
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["user"] == "1200/minute"
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "5/minute")
    token = Token.objects.create(user=coordinator)
    answers = [
        Client(REMOTE_ADDR=f"198.51.100.{i}", HTTP_AUTHORIZATION=f"Token {token.key}")
        .get("/api/v1/needs/")
        .status_code
        for i in range(5)
    ]
    assert answers == [200] * 5
    _assert_throttled_api(
        Client(REMOTE_ADDR="198.51.100.99", HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/v1/needs/")
    )


# --- the Twilio webhooks ------------------------------------------------------------------------------
def test_a_hundred_quick_signed_webhooks_from_one_address_are_all_accepted():
    """Not throttled on purpose: the signature is the gate (forgeries get 403 before any work), and a
    throttled Twilio retries with back-off and finally drops the text: a STOP or a YES would be lost."""
    client = Client(REMOTE_ADDR="54.172.60.1")  # every Twilio callback comes from Twilio's few addresses
    answers = []
    for i in range(100):
        params = {
            "MessageSid": f"SM{i:032d}",
            "From": "+447700900123",
            "To": "+447700900000",
            "Body": f"Hello, this is text number {i}",
        }
        response = client.post(
            INBOUND_PATH, params, HTTP_X_TWILIO_SIGNATURE=signature_for(INBOUND_PATH, params)
        )
        answers.append(response.status_code)
    assert answers == [200] * 100
    assert InboundMessage.objects.count() == 100


# --- staff sign-in ------------------------------------------------------------------------------------
def _login(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def test_login_locks_an_address_out_after_ten_failures_with_a_clear_429_page(coordinator, viewer):
    attacker = Client(REMOTE_ADDR="192.0.2.10")
    # Ten wrong guesses spread over two usernames: the address's count reaches its limit.
    for i in range(10):
        response = _login(attacker, "cora" if i % 2 else "vic", f"guess-{i}")
        assert response.status_code == 200
        assert "did not match" in response.content.decode()
    for username, password in (("cora", "guess-x"), ("someone-new", "x"), ("cora", PASSWORD)):
        response = _login(attacker, username, password)
        assert response.status_code == 429, username
        page = response.content.decode()
        assert "Too many attempts, try again in 15 minutes." in page
        assert 0 < int(response["Retry-After"]) <= 15 * 60
        assert "_auth_user_id" not in attacker.session  # even the right password does not get in
    # The same people from another address: only the usernames' own counts (5 each) apply.
    elsewhere = Client(REMOTE_ADDR="192.0.2.77")
    assert _login(elsewhere, "cora", PASSWORD).status_code == 302
    # The window ends: the address may try again.
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        assert _login(attacker, "cora", PASSWORD).status_code == 302


def test_login_locks_a_username_out_after_ten_failures_from_anywhere(coordinator):
    for i in range(10):  # a botnet: every guess from a different address
        assert _login(Client(REMOTE_ADDR=f"192.0.2.{100 + i}"), "CORA", f"guess-{i}").status_code == 200
    response = _login(Client(REMOTE_ADDR="192.0.2.250"), "cora", PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts, try again in" in response.content.decode()
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=10)):
        response = _login(Client(REMOTE_ADDR="192.0.2.251"), "cora", PASSWORD)
        assert response.status_code == 429
        assert "try again in 5 minutes" in response.content.decode()


def test_successful_logins_are_never_counted_and_forgive_the_usernames_mistakes(coordinator):
    office = Client(REMOTE_ADDR="192.0.2.20")
    for _ in range(15):  # a shared office signing in all day
        response = _login(office, "cora", PASSWORD)
        assert response.status_code == 302
        office.logout()
    for round_ in range(3):  # nine typos, then the right password, three times over
        for i in range(9):
            assert (
                _login(Client(REMOTE_ADDR=f"192.0.2.{30 + i}"), "cora", f"typo-{round_}-{i}").status_code
                == 200
            )
        assert _login(Client(REMOTE_ADDR="192.0.2.60"), "cora", PASSWORD).status_code == 302


def test_login_takes_the_address_as_the_api_throttles_do(coordinator, settings):
    """Without NUM_PROXIES a forged X-Forwarded-For changes nothing (it is the socket's address
    that counts); with NUM_PROXIES=1 the address the proxy saw is the one counted."""
    for i in range(10):
        _login(Client(REMOTE_ADDR="192.0.2.40", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}"), f"user-{i}", "x")
    spoofer = Client(REMOTE_ADDR="192.0.2.40", HTTP_X_FORWARDED_FOR="10.9.9.200")
    assert _login(spoofer, "cora", PASSWORD).status_code == 429

    cache.clear()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.0.0.1"  # every request arrives from the proxy; the client is in X-Forwarded-For
    for i in range(10):
        _login(Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.41"), f"user-{i}", "x")
    assert (
        _login(Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.41"), "cora", PASSWORD).status_code
        == 429
    )
    assert (
        _login(Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.42"), "cora", PASSWORD).status_code
        == 302
    )


# --- /join/ -------------------------------------------------------------------------------------------
JOIN_FORM = {
    "name": "Priya Patel",
    "postcode": "B1 1AA",
    "languages": ["en"],
    "max_travel_km": "3",
    "consent": "on",
}


@pytest.fixture
def b1(db):
    Postcode.objects.create(
        postcode="B1 1AA",
        district="B1",
        latitude=52.4796,
        longitude=-1.9026,
        local_authority=local_authority(),
    )


def test_join_code_requests_are_limited_per_address_on_top_of_per_phone(b1, settings):
    settings.JOIN_SENDS_PER_ADDRESS = 20
    script = Client(REMOTE_ADDR="192.0.2.50")
    for i in range(20):  # twenty different numbers: the per-phone limit never bites
        response = script.post("/join/", {**JOIN_FORM, "phone": f"07700 900{200 + i}"})
        assert response.status_code == 302, i
    response = script.post("/join/", {**JOIN_FORM, "phone": "07700 900300"})
    assert response.status_code == 200
    assert "Too many sign-ups from this connection. Please try again in an hour." in response.content.decode()
    assert OutboundMessage.objects.filter(purpose="signup_code").count() == 20
    # Another connection is not affected; an hour later this one may send again.
    assert (
        Client(REMOTE_ADDR="192.0.2.51").post("/join/", {**JOIN_FORM, "phone": "07700 900301"}).status_code
        == 302
    )
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=61)):
        assert script.post("/join/", {**JOIN_FORM, "phone": "07700 900302"}).status_code == 302


def test_join_per_phone_limit_still_holds_from_many_addresses(b1):
    for i in range(5):
        response = Client(REMOTE_ADDR=f"192.0.2.{60 + i}").post(
            "/join/", {**JOIN_FORM, "phone": "07700 900400"}
        )
        assert response.status_code == 302
    response = Client(REMOTE_ADDR="192.0.2.70").post("/join/", {**JOIN_FORM, "phone": "07700 900400"})
    # Issue 13: the answer no longer tells anyone about the number's history (it used to say "We
    # have sent this number too many codes"): the same page as ever, but no sixth text.
    assert response.status_code == 302 and response["Location"] == "/join/confirm/"
    assert OutboundMessage.objects.filter(to="+447700900400").count() == 5
