"""Calls through the real twilio client to the local Twilio server, walked by the call walker
over Django's test client (every webhook signed, every on_commit hook run)."""

from __future__ import annotations

import pytest
from django.test import Client

from messaging import transports
from messaging.ratelimit import limiter_get
from tests.fakes.call_walker import CallWalker, django_post
from tests.fakes.twilio_server import FakeTwilio
from tests.reactivation.conftest import manager, version  # noqa: F401 -- the campaign tests' actors
from voice import transports as call_transports

SERVICE_NUMBER = "+447700900000"
LANDLINE = "+441214960123"  # Ofcom's drama range for Birmingham: a valid UK landline


@pytest.fixture
def phone_network(settings, django_capture_on_commit_callbacks):
    """The local Twilio server (texts and calls) and a walker that plays Twilio's part in calls."""
    server = FakeTwilio(account_sid="AC" + "5" * 32, auth_token="voice-test-token", hang_seconds=1.5).start()
    server.settings_point(settings, from_number=SERVICE_NUMBER)
    settings.SMS_TASKS_SYNC = True
    settings.SMS_QUIET_HOURS = None
    settings.SMS_MAX_PER_SECOND = 100000
    settings.VOICE_MAX_CALLS_PER_SECOND = 100000
    settings.PUBLIC_BASE_URL = "http://testserver"
    settings.VOICE_FROM_NUMBER = SERVICE_NUMBER
    settings.VOICE_CALLBACK_NUMBER = SERVICE_NUMBER
    settings.SMS_HTTP_TIMEOUT = 0.5
    limiter_get().reset()
    limiter_get().reset("calls")
    transports.outbox.clear()
    call_transports.placed.clear()
    server.walker = CallWalker(
        server, post=django_post(Client(), around=lambda: django_capture_on_commit_callbacks(execute=True))
    )
    yield server
    server.stop()


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run ``fn`` and then what it left for after the commit (the dial task), as a worker would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def only_call(server, to: str) -> str:
    """The sid of the one call placed to ``to``."""
    (call,) = [c for c in server.calls_created() if c["to"] == to]
    return call["sid"]


def texts_to(server, to: str) -> list[str]:
    return [m["body"] for m in server.created() if m["to"] == to]


_text_ids = iter(range(1, 10**6))


@pytest.fixture
def text_in(phone_network, django_capture_on_commit_callbacks):
    """A text from ``phone`` to the service through the signed SMS webhook, handled at once."""
    from twilio.request_validator import RequestValidator

    def send(phone: str, body: str, client: Client | None = None) -> int:
        params = {
            "MessageSid": f"SMvoice{next(_text_ids):027d}",
            "From": phone,
            "To": SERVICE_NUMBER,
            "Body": body,
        }
        url = "http://testserver/sms/twilio/inbound/"
        signature = RequestValidator(phone_network.auth_token).compute_signature(url, params)
        with django_capture_on_commit_callbacks(execute=True):
            response = (client or Client()).post(
                "/sms/twilio/inbound/", params, HTTP_X_TWILIO_SIGNATURE=signature
            )
        return response.status_code

    return send
