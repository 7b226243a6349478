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
