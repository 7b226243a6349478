"""The readiness drill names a missing number to call from while anyone is called, not texted."""

from __future__ import annotations

import pytest

from operations.drill import check_calls
from tests.factories import VolunteerFactory
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def twilio_by_messaging_service(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_FROM_NUMBER = ""
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "0" * 32
    settings.VOICE_FROM_NUMBER = ""


def test_a_called_volunteer_without_a_number_to_call_from_fails_the_drill(
    twilio_by_messaging_service, settings
):
    assert check_calls().status == "PASS"  # nobody is called yet
    VolunteerFactory(contact_by=Volunteer.ContactBy.VOICE)
    check = check_calls()
    assert check.status == "FAIL" and "set VOICE_FROM_NUMBER" in check.reason
    settings.VOICE_FROM_NUMBER = "+447700900000"
    assert check_calls().status == "PASS"
