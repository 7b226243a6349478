from __future__ import annotations

import pytest

from messaging import transports
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
