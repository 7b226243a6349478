"""Texts in through the signed Twilio webhook and out through the locmem transport, for the needs
tests that follow a text end to end."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from messaging import transports

INBOUND = "/sms/twilio/inbound/"


@pytest.fixture
def sms(settings, django_capture_on_commit_callbacks):
    """Sending runs inline after each commit; the locmem transport keeps what was sent."""
    settings.SMS_BACKEND = "locmem"
    settings.SMS_TASKS_SYNC = True
    settings.SMS_QUIET_HOURS = None
    settings.SMS_MAX_PER_SECOND = 100000
    settings.PUBLIC_BASE_URL = "http://testserver"
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    transports.outbox.clear()
    yield django_capture_on_commit_callbacks
    transports.outbox.clear()


def text_in(client, capture, *, phone: str, body: str, sid: str):
    """A volunteer's text, posted by Twilio with a valid signature; what it queues is sent."""
    params = {"MessageSid": sid, "From": phone, "To": "+447700900000", "Body": body}
    signature = RequestValidator("test-auth-token").compute_signature("http://testserver" + INBOUND, params)
    with capture(execute=True):
        return client.post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=signature)


def sent_to(phone: str) -> list[str]:
    """The bodies the transport has sent to ``phone``, in order."""
    return [m.body for m in transports.outbox if m.to == phone]
