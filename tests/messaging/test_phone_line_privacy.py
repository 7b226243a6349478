"""A caller's number and recorded message are personal data (issue 17, item 2): subject access
finds their calls by number; erasure (``erase_person`` and the 30-day requester erasure) deletes
the calls with the link to the recording; a coordinator hears the message only through the
service, audited, and only for a call in an inbox they read."""

from __future__ import annotations

import base64
import io
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from messaging.models import InboundCall, InboxEntry
from needs.models import Need
from operations.data_rights import requesters_erase_due, subject_access
from tests.factories import NeedFactory, local_authority
from tests.operations.test_erase_then_search import phone_forms, traces_of
from volunteers.models import AuditEvent, Postcode

pytestmark = pytest.mark.django_db

CALLER = "+447700900431"
ACCOUNT = "AC" + "1" * 32
RECORDING = "RE" + "e" * 32


@pytest.fixture
def places(db):
    Postcode.objects.create(
        postcode="B23 6SN", district="B23", latitude=52.53, longitude=-1.83, local_authority=local_authority()
    )


def a_message_left(caller) -> InboundCall:
    phone = caller(CALLER)
    phone.ring()
    phone.press("1")
    phone.leave_message(seconds=37, sid=RECORDING)
    phone.say_postcode("B23 6SN")
    phone.hang_up(seconds=80)
    return InboundCall.objects.get(from_number=CALLER)


def test_subject_access_finds_their_calls_by_number(caller, places, brum_aid):
    a_message_left(caller)
    (found,) = subject_access(phone="07700 900431")["calls_from_them"]
    assert found["outcome"] == "message" and found["message_seconds"] == 37
    assert found["postcode_given"] == "B23 6SN" and found["recording_url"].endswith(RECORDING)


def test_erase_person_deletes_the_call_and_its_recording_link(caller, places, brum_aid):
    a_message_left(caller)
    assert traces_of(*phone_forms(CALLER), RECORDING)
    call_command("erase_person", "07700 900431", "--requester", "--yes", stdout=io.StringIO())
    assert not InboundCall.objects.exists() and not InboxEntry.objects.exists()
    assert traces_of(*phone_forms(CALLER), RECORDING) == []
    assert subject_access(phone=CALLER)["calls_from_them"] == []


def test_thirty_days_after_the_need_from_their_call_closes_the_call_is_gone(caller, places, brum_aid):
    a_message_left(caller)
    need = NeedFactory(organisation=brum_aid, requester_phone=CALLER, requester_name="Nell Caller")
    Need.objects.filter(pk=need.pk).update(status=Need.Status.DONE, done_at=timezone.now())
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        assert requesters_erase_due() == 1
    assert not InboundCall.objects.exists()
    assert traces_of(*phone_forms(CALLER), RECORDING) == []


class _FakeRecordings(BaseHTTPRequestHandler):
    """Twilio's media URL for one recording: the MP3, only with the account's credentials; and its
    Recording resource, which the official client deletes (``deleted`` lists them; a ``refuse``
    status makes a delete fail)."""

    mp3 = b"ID3\x03\x00fake mp3 frames"
    deleted: list[str] = []
    refuse = 0

    def do_DELETE(self) -> None:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:test-auth-token".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
        elif self.refuse:
            self.send_response(self.refuse)
        elif self.path == f"/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}.json":
            _FakeRecordings.deleted.append(RECORDING)
            self.send_response(204)
        else:
            self.send_response(404)
        self.send_header("Content-Type", "application/json")
        body = b"" if self.refuse == 0 else b'{"code": 20500, "message": "Internal error", "status": 500}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:test-auth-token".encode()).decode()
        path = f"/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}.mp3"
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.end_headers()
            return
        if self.path != path:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "audio/mpeg")
        self.send_header("Content-Length", str(len(self.mp3)))
        self.end_headers()
        self.wfile.write(self.mp3)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def twilio_media(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeRecordings)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.TWILIO_ACCOUNT_SID = ACCOUNT
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    _FakeRecordings.deleted, _FakeRecordings.refuse = [], 0
    yield
    server.shutdown()
    server.server_close()


def test_the_coordinator_hears_the_message_through_the_service_audited(
    caller, places, brum_aid, coordinator, other_coordinator, viewer, twilio_media
):
    call = a_message_left(caller)
    url = f"/inbox/calls/{call.pk}/recording.mp3"
    ears = Client()
    ears.force_login(coordinator)
    response = ears.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "audio/mpeg"
    assert b"".join(response.streaming_content) == _FakeRecordings.mp3
    assert response["Cache-Control"] == "private, no-store"
    heard = AuditEvent.objects.get(action="inbox.recording_heard")
    assert (heard.actor, heard.organisation, heard.detail) == (coordinator, brum_aid, {"call_id": call.pk})
    for someone in (other_coordinator, viewer):
        ears.force_login(someone)
        assert ears.get(url).status_code == 404
    ears.logout()
    assert ears.get(url).status_code == 302
    assert AuditEvent.objects.filter(action="inbox.recording_heard").count() == 1


def test_a_recording_twilio_will_not_give_says_so(
    caller, places, brum_aid, coordinator, twilio_media, settings
):
    call = a_message_left(caller)
    settings.TWILIO_AUTH_TOKEN = "a-rotated-token"
    ears = Client()
    ears.force_login(coordinator)
    response = ears.get(f"/inbox/calls/{call.pk}/recording.mp3")
    assert response.status_code == 502
    assert response.content.decode() == "Twilio did not give the recording (HTTP 401)."
    assert not AuditEvent.objects.filter(action="inbox.recording_heard").exists()


def test_erasure_deletes_the_recording_at_twilio_too(caller, places, brum_aid, twilio_media):
    a_message_left(caller)
    call_command("erase_person", CALLER, "--requester", "--yes", stdout=io.StringIO())
    assert _FakeRecordings.deleted == [RECORDING] and not InboundCall.objects.exists()


def test_when_twilio_cannot_delete_the_recording_nothing_is_erased(caller, places, brum_aid, twilio_media):
    from django.core.management.base import CommandError

    a_message_left(caller)
    _FakeRecordings.refuse = 500
    with pytest.raises(CommandError, match=r"Twilio did not delete the recording of a call \(HTTP 500\)"):
        call_command("erase_person", CALLER, "--requester", "--yes", stdout=io.StringIO())
    assert InboundCall.objects.get().recording_sid == RECORDING  # all or nothing: try again later
    assert not AuditEvent.objects.filter(action="data_rights.erasure").exists()
