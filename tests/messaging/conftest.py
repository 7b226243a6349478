from __future__ import annotations

import itertools

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from messaging import transports
from messaging.models import InboundMessage, OutboundMessage
from messaging.ratelimit import limiter_get
from tests.fakes.twilio_server import FakeTwilio


@pytest.fixture(autouse=True)
def sms_settings(settings):
    settings.SMS_BACKEND = "locmem"
    settings.SMS_TASKS_SYNC = True  # django-q2 runs the task inline
    settings.SMS_QUIET_HOURS = None
    settings.SMS_MAX_PER_SECOND = 100000
    settings.PUBLIC_BASE_URL = "http://testserver"
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    transports.outbox.clear()
    yield settings
    transports.outbox.clear()


@pytest.fixture
def fake_twilio(settings):
    """The real twilio client, over HTTP, against the local fake."""
    server = FakeTwilio(account_sid="AC" + "1" * 32, auth_token="test-auth-token", hang_seconds=1.5).start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = server.account_sid
    settings.TWILIO_AUTH_TOKEN = server.auth_token
    settings.TWILIO_FROM_NUMBER = "+447700900000"
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_API_BASE_URL = server.base_url
    settings.SMS_HTTP_TIMEOUT = 0.5
    yield server
    server.stop()


@pytest.fixture
def no_rate_wait(db):
    limiter_get().reset()


INBOUND = "/sms/twilio/inbound/"
_sids = itertools.count(1)


@pytest.fixture
def send_text(db, django_capture_on_commit_callbacks):
    """Text the service through the signed Twilio webhook, as a phone (or a sender that is not one)
    would, and run what happens after the commit; returns the stored text. ``phone=None``: the
    webhook carries no From at all."""

    def send(body: str, *, phone: str | None = "+447700900123", **extra) -> InboundMessage:
        params = {"MessageSid": f"SMctx{next(_sids):029d}", "To": "+447700900000", "Body": body, **extra}
        if phone is not None:
            params["From"] = phone
        signature = RequestValidator("test-auth-token").compute_signature(
            "http://testserver" + INBOUND, params
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=signature)
        assert response.status_code == 200
        return InboundMessage.objects.get(message_sid=params["MessageSid"])

    return send


def reply_to(message: InboundMessage) -> str | None:
    """The text the service answered ``message`` with, if any."""
    reply = OutboundMessage.objects.filter(dedupe_key=f"reply:{message.message_sid}").first()
    return reply.body if reply else None
