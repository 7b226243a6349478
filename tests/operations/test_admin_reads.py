"""Issue 13, items 2 and 5: what the admin shows of texts and requesters, and that reading a
requester's details there is audited like anywhere else."""

from __future__ import annotations

import pytest

from tests.factories import InboundMessageFactory, NeedFactory, OptOutFactory, OutboundMessageFactory
from volunteers.models import AuditEvent

pytestmark = pytest.mark.django_db

SECRET = "Flat 3, 22 Cedar Row, the door code is 4471"
NUMBER = "+447700900555"


def test_the_admin_never_shows_what_a_text_said_nor_a_whole_number(admin_client):
    out = OutboundMessageFactory(to=NUMBER, body=SECRET)
    inbound = InboundMessageFactory(from_number=NUMBER, body=SECRET)
    for path in (
        "/admin/messaging/outboundmessage/",
        f"/admin/messaging/outboundmessage/{out.pk}/change/",
        "/admin/messaging/inboundmessage/",
        f"/admin/messaging/inboundmessage/{inbound.pk}/change/",
    ):
        html = admin_client.get(path).content.decode()
        assert "Cedar Row" not in html and NUMBER not in html, path
        assert "*********555" in html, path
    # Finding a text by its whole number still works (a person asking what we sent them) ...
    found = admin_client.get("/admin/messaging/outboundmessage/", {"q": NUMBER}).content.decode()
    assert f"/admin/messaging/outboundmessage/{out.pk}/change/" in found
    # ... but not by what it said: that would be reading the bodies.
    searched = admin_client.get("/admin/messaging/inboundmessage/", {"q": "Cedar"}).content.decode()
    assert f"/admin/messaging/inboundmessage/{inbound.pk}/change/" not in searched


def test_opt_outs_are_added_by_number_and_shown_masked(admin_client):
    row = OptOutFactory(phone=NUMBER)
    assert NUMBER not in admin_client.get(f"/admin/messaging/optout/{row.pk}/change/").content.decode()
    assert 'name="phone"' in admin_client.get("/admin/messaging/optout/add/").content.decode()


def test_reading_a_requester_in_the_admin_is_audited(admin_client, admin_user, brum_aid):
    need = NeedFactory(organisation=brum_aid, requester_name="Edna Example", dietary_notes="halal")
    html = admin_client.get(f"/admin/needs/need/{need.pk}/change/").content.decode()
    assert "Edna Example" in html and "halal" in html
    event = AuditEvent.objects.get(action="need.requester.read")
    assert (event.actor, event.target_id, event.detail["via"]) == (admin_user, str(need.pk), "admin")
    assert event.organisation == brum_aid
    # The list shows no requester's details, so it is not a read.
    list_html = admin_client.get("/admin/needs/need/").content.decode()
    assert "Edna Example" not in list_html
    assert AuditEvent.objects.filter(action="need.requester.read").count() == 1
