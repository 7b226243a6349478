"""The register's texts (a sign-up code for /join/) go at once even in quiet hours: the person is
on the page that says "we have texted you", waiting for the code."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from messaging.models import OutboundMessage
from volunteers.texting import text_send

pytestmark = pytest.mark.django_db


def test_a_sign_up_code_asked_for_at_23_30_is_not_held_until_08_00(settings):
    settings.SMS_QUIET_HOURS = (time(21), time(8))
    at = datetime(2026, 1, 13, 23, 30, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(at, tick=False):
        assert text_send(
            to="+447700900321",
            body="Your Rekindle code is 123456",
            dedupe_key="code:1",
            purpose="signup_code",
        )
    message = OutboundMessage.objects.get(dedupe_key="code:1")
    assert message.send_after == at and message.state == OutboundMessage.State.QUEUED
