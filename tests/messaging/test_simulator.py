"""The phone simulator exists only with DEBUG on (issue 13): it shows any number's texts and signs
texts as any number, so on a server without DEBUG there is no way to reach it, whatever is set."""

from __future__ import annotations

import pytest

from messaging.models import InboundMessage
from tests.factories import NeedFactory, OutboundMessageFactory

pytestmark = pytest.mark.django_db


def test_without_debug_an_anonymous_visitor_can_neither_read_nor_send(client, settings):
    settings.DEBUG = False
    settings.TWILIO_AUTH_TOKEN = "a-real-token"  # the simulator would sign with it
    need = NeedFactory(requester_phone="+447700900321", requester_address="5 Hidden Close")
    OutboundMessageFactory(to="+447700900321", body=f"Help is coming to {need.requester_address}")
    assert client.get("/sms/simulator/?phone=07700900321").status_code == 404
    response = client.post("/sms/simulator/", {"phone": "07700900321", "body": "STOP"})
    assert response.status_code == 404 and b"Hidden Close" not in response.content
    assert not InboundMessage.objects.exists()
    assert not hasattr(settings, "SMS_SIMULATOR")  # no setting can open it again


def test_with_debug_it_is_there(client, settings):
    settings.DEBUG = True
    assert client.get("/sms/simulator/").status_code == 200


# --- every demo volunteer, found by name or number (issue 15) --------------------------------------


@pytest.fixture
def demo_volunteers(db):
    """Two volunteers numbered as the demo seeds them: 07700 902324 is outside Ofcom's drama
    range (900000-900999) and in no range a phone company has, so the phone check refuses it."""
    from tests.factories import VolunteerFactory

    return (
        VolunteerFactory(name="Nadia Near", phone="+447700902324"),
        VolunteerFactory(name="Fred Further", phone="+447700900111"),
    )


def test_a_demo_volunteer_outside_the_drama_range_can_be_opened_and_text(
    client, settings, demo_volunteers, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    nadia, _ = demo_volunteers
    for typed in ("+447700902324", "07700 902324"):
        page = client.get("/sms/simulator/", {"typed": typed}).content.decode()
        assert "Conversation with +447700902324" in page and "not a valid phone number" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/sms/simulator/", {"phone": "07700 902324", "body": "PAUSE"})
    assert response.status_code == 302
    text = InboundMessage.objects.get()
    assert text.from_number == "+447700902324" and text.volunteer == nadia
    nadia.refresh_from_db()
    assert nadia.status == "paused"  # handled as her text: she asked for a break


def test_a_number_nobody_knows_outside_the_real_ranges_is_still_refused(client, settings, demo_volunteers):
    settings.DEBUG = True
    page = client.get("/sms/simulator/", {"typed": "07700 902999"}).content.decode()
    assert "is not a valid phone number" in page and "Conversation with" not in page


def test_volunteers_are_found_by_name_or_number_not_listed(client, settings, demo_volunteers):
    settings.DEBUG = True
    page = client.get("/sms/simulator/").content.decode()
    assert "Nadia Near" not in page and "Fred Further" not in page  # no list of everyone
    by_name = client.get("/sms/simulator/", {"q": "nadia"}).content.decode()
    assert "Nadia Near (+447700902324)" in by_name and "Fred Further" not in by_name
    by_number = client.get("/sms/simulator/", {"q": "07700 900111"}).content.decode()
    assert "Fred Further (+447700900111)" in by_number and "Nadia Near" not in by_number
    by_part = client.get("/sms/simulator/", {"q": "2324"}).content.decode()
    assert "Nadia Near" in by_part
    nobody = client.get("/sms/simulator/", {"q": "Zebedee"}).content.decode()
    assert 'No volunteer\'s name or number matches "Zebedee".' in nobody
