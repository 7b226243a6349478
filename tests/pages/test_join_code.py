"""The /join/ code: hashed, expiring, a few tries; nothing written until the phone is confirmed."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from messaging.models import OutboundMessage
from tests.factories import OptOutFactory, local_authority
from volunteers.models import Postcode, Volunteer

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Priya Patel",
    "phone": "07700 900123",
    "postcode": "B1 1AA",
    "languages": ["en"],
    "max_travel_km": "3",
    "consent": "on",
}


@pytest.fixture(autouse=True)
def postcode(db):
    Postcode.objects.create(
        postcode="B1 1AA",
        district="B1",
        latitude=52.4796,
        longitude=-1.9026,
        local_authority=local_authority(),
    )


def _code() -> str:
    return re.search(r"\b(\d{6})\b", OutboundMessage.objects.latest("created_at").body).group(1)


def test_the_code_is_not_kept_in_clear_in_the_session(client):
    client.post("/join/", FORM)
    code = _code()
    assert code not in str(dict(client.session))


def test_five_wrong_codes_and_the_code_is_spent(client):
    client.post("/join/", FORM)
    code = _code()
    for _ in range(5):
        client.post("/join/confirm/", {"code": "999999" if code != "999999" else "111111"})
    response = client.post("/join/confirm/", {"code": code})
    assert "last try" in response.content.decode()
    assert not Volunteer.objects.exists()


def test_an_expired_code_is_refused(client):
    client.post("/join/", FORM)
    code = _code()
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = client.post("/join/confirm/", {"code": code})
    assert "has run out" in response.content.decode()
    assert not Volunteer.objects.exists()


def test_an_opted_out_number_gets_the_same_answer_as_any_other_and_no_text(client):
    """The issue changed this: /join/ used to say that a number had replied STOP."""
    OptOutFactory(phone="+447700900123")
    response = client.post("/join/", FORM, follow=True)
    page = response.content.decode()
    assert "STOP" not in page.split("No code?")[0]  # only the advice everyone gets mentions STOP
    assert "If <strong>07700 900123</strong> can take our texts" in page
    assert not OutboundMessage.objects.exists()


def test_a_landline_is_refused_with_a_clear_reason(client, settings):
    settings.PHONE_LINE_NUMBER = ""
    response = client.post("/join/", {**FORM, "phone": "0121 496 0000"})
    assert (
        "That is a landline, and we sign you up by texting a code to a mobile." in response.content.decode()
    )
    assert "ask your local group to add you so that we call you" in response.content.decode()


def test_a_landline_is_told_how_to_join_by_phone_and_nothing_is_texted(client, settings):
    settings.PHONE_LINE_NUMBER = "+441214960000"
    page = client.post("/join/", {**FORM, "phone": "0121 496 0123"}).content.decode()
    assert "That is a landline" in page
    assert "call us on 0121 496 0000 and leave a message: we will add you and call you instead." in page
    assert not OutboundMessage.objects.exists() and not Volunteer.objects.exists()
    # A mobile goes on as before.
    client.post("/join/", FORM)
    assert OutboundMessage.objects.count() == 1
