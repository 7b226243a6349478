"""A person's contact state as they change it by text, through the signed webhook: STOP then
AVAILABLE, erasure then START, erasure then a re-import, Twilio's reports, and LINK."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from twilio.request_validator import RequestValidator

from messaging import transports
from messaging.contact_commands import contact_command_handle
from messaging.models import InboundMessage, OptOut, OutboundMessage
from needs.models import Need
from needs.services.offers import offers_make
from operations.data_rights import person_erase
from tests.factories import (
    MembershipFactory,
    MutualAidGroupFactory,
    NeedFactory,
    VolunteerFactory,
    local_authority,
)
from volunteers.exporting import volunteers_export
from volunteers.importing.volunteer_import import volunteers_import
from volunteers.models import ErasedNumber, Postcode, Volunteer, VolunteerLink

pytestmark = pytest.mark.django_db
INBOUND = "/sms/twilio/inbound/"
STATUS = "/sms/twilio/status/"
PHONE = "+447700900123"
S = Volunteer.Status
_sids = iter(range(10**6))


_capture = {}


@pytest.fixture(autouse=True)
def commit_callbacks(django_capture_on_commit_callbacks):
    # Each test runs in a transaction: run what would run after each commit, as it would.
    _capture["run"] = django_capture_on_commit_callbacks


def signed(client, path, params):
    sig = RequestValidator("test-auth-token").compute_signature("http://testserver" + path, params)
    with _capture["run"](execute=True):
        return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=sig)


def text(client, body, phone=PHONE):
    sid = f"SMstate{next(_sids):08d}"
    response = signed(
        client, INBOUND, {"MessageSid": sid, "From": phone, "To": "+447700900000", "Body": body}
    )
    assert response.status_code == 200
    return InboundMessage.objects.get(message_sid=sid)


def replies_to(phone=PHONE) -> list[str]:
    return [sms.body for sms in transports.outbox if sms.to == phone]


@pytest.fixture
def val(brum_aid):
    """Val: a volunteer of a Brum Aid group, in Birmingham."""
    person = VolunteerFactory(name="Val Verity", phone=PHONE, skills=["shopping"])
    MembershipFactory(volunteer=person, group=MutualAidGroupFactory(organisation=brum_aid))
    return person


def status_of(phone=PHONE) -> str:
    return Volunteer.objects.get(phone=phone).status


# --- STOP, then the wrong words ------------------------------------------------------------------
@pytest.mark.parametrize("word", ["AVAILABLE", "PAUSE", "available please"])
def test_after_stop_pause_and_available_change_nothing(client, val, brum_aid, word):
    text(client, "STOP")
    transports.outbox.clear()
    message = text(client, word)
    assert status_of() == S.OPTED_OUT
    assert OptOut.objects.filter(phone=PHONE).exists()
    assert message.outcome == InboundMessage.Outcome.HANDLED
    assert replies_to() == []  # an opted-out number is sent nothing at all
    assert not OutboundMessage.objects.filter(to=PHONE).exists()
    assert "Val Verity" not in volunteers_export(organisations=[brum_aid], fmt="csv").content
    need = NeedFactory(organisation=brum_aid, status=Need.Status.OPEN)
    assert [o.volunteer_id for o in offers_make(need=need)] == []


def test_the_answer_to_pause_after_stop_says_how_to_opt_back_in(val):
    from volunteers.contact_state import Event, contact_event_record

    contact_event_record(phone=PHONE, event=Event.STOP)
    _outcome, reply = contact_command_handle(phone=PHONE, name="PAUSE")
    assert "text START" in reply and status_of() == S.OPTED_OUT


def test_start_then_available_brings_them_back(client, val, brum_aid):
    text(client, "STOP")
    text(client, "PAUSE")
    text(client, "START")
    assert status_of() == S.ACTIVE and not OptOut.objects.filter(phone=PHONE).exists()
    text(client, "PAUSE")
    assert status_of() == S.PAUSED and "Paused" in replies_to()[-1]
    text(client, "AVAILABLE")
    assert status_of() == S.ACTIVE and "you will get offers again" in replies_to()[-1]
    assert "Val Verity" in volunteers_export(organisations=[brum_aid], fmt="csv").content


# --- erasure --------------------------------------------------------------------------------------
FILE = "name,phone,postcode\nVal Verity,07700 900123,B1 1AA\n"


def reimport():
    return volunteers_import(data=FILE.encode(), source="old-list.csv")


@pytest.fixture
def postcode(db):
    Postcode.objects.create(
        postcode="B1 1AA",
        district="B1",
        latitude=52.4796,
        longitude=-1.9026,
        local_authority=local_authority(),
    )


def test_erase_then_start_brings_nobody_back(client, val, postcode):
    person_erase(phone=PHONE)
    text(client, "START")
    text(client, "AVAILABLE")
    assert not Volunteer.objects.filter(phone=PHONE).exists()
    assert Volunteer.objects.get(pk=val.pk).status == S.ERASED
    assert ErasedNumber.objects.count() == 1
    assert "not registered as a volunteer" in replies_to()[-1]


def test_erase_then_start_then_a_reimport_is_refused(client, val, postcode):
    person_erase(phone=PHONE)
    text(client, "START")  # lifts the opt-out: the tombstone stays
    report = reimport()
    assert (report.created, report.updated, len(report.rejected)) == (0, 0, 1)
    assert "asked for their data to be erased" in report.rejected[0][1]
    assert not Volunteer.objects.filter(phone=PHONE).exists()


def test_erase_then_a_reimport_is_refused(val, postcode):
    person_erase(phone=PHONE)
    OptOut.objects.all().delete()  # even with the opt-out list lost, the tombstone refuses them
    assert "0 new" in reimport().summary()


def test_only_a_fresh_sign_up_brings_an_erased_person_back(client, val, postcode):
    person_erase(phone=PHONE)
    text(client, "START")
    client.post(
        "/join/",
        {
            "name": "Val Again",
            "phone": "07700 900123",
            "postcode": "B1 1AA",
            "languages": ["en"],
            "max_travel_km": "3",
            "consent": "on",
        },
    )
    code = re.search(r"\b(\d{6})\b", OutboundMessage.objects.get(purpose="signup_code").body).group(1)
    client.post("/join/confirm/", {"code": code})
    back = Volunteer.objects.get(phone=PHONE)
    assert (back.name, back.status, back.consent_channel) == ("Val Again", S.ACTIVE, "web")
    assert back.pk != val.pk and not ErasedNumber.objects.exists()
    assert reimport().updated + reimport().unchanged >= 1  # on the register again: an import may update them


# --- what Twilio tells us ----------------------------------------------------------------------
def status_callback(client, message, **params):
    return signed(client, f"{STATUS}?m={message.pk}", {"MessageSid": "SMout1", **params})


def test_a_carrier_opt_out_is_stop(client, val):
    link = VolunteerLink.objects.create(token_hash="x" * 64, volunteer=val, purpose="page")
    sms = OutboundMessage.objects.create(to=PHONE, body="hi", dedupe_key="k", state="sent", volunteer=val)
    status_callback(client, sms, MessageStatus="failed", ErrorCode="21610")
    assert status_of() == S.OPTED_OUT and OptOut.objects.get(phone=PHONE).source == "carrier"
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_an_unreachable_number_comes_back_when_it_texts(client, val):
    sms = OutboundMessage.objects.create(to=PHONE, body="hi", dedupe_key="k", state="sent", volunteer=val)
    status_callback(client, sms, MessageStatus="undelivered", ErrorCode="30006")
    assert status_of() == S.UNREACHABLE
    text(client, "AVAILABLE")
    val.refresh_from_db()
    assert (val.status, val.phone_unreachable_at) == (S.ACTIVE, None)
    assert "you will get offers again" in replies_to()[-1]


# --- LINK -------------------------------------------------------------------------------------------
def link_in(body: str) -> str:
    return re.search(r"http://testserver(/v/[\w-]+/)", body).group(1)


def test_link_texts_a_fresh_link_to_their_own_page(client, val):
    text(client, "link")
    path = link_in(replies_to()[-1])
    page = client.get(path)
    assert page.status_code == 200 and "Hello Val Verity" in page.content.decode()
    text(client, "LINK please")
    second = link_in(replies_to()[-1])
    assert second != path and client.get(path).status_code == 200  # the first keeps its own end


def test_a_link_ends_after_fourteen_days_however_often_it_is_visited(client, val):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        text(client, "LINK")
        path = link_in(replies_to()[-1])
    for days in (1, 7, 13):
        with time_machine.travel(now + timedelta(days=days), tick=False):
            assert client.get(path).status_code == 200
    with time_machine.travel(now + timedelta(days=14, minutes=1), tick=False):
        expired = client.get(path)
    assert expired.status_code == 404 and "text <strong>LINK</strong>" in expired.content.decode()
    assert VolunteerLink.objects.filter(volunteer=val, purpose="page").count() == 1  # visits made none


def test_stop_ends_every_link_at_once(client, val):
    text(client, "LINK")
    path = link_in(replies_to()[-1])
    text(client, "STOP")
    assert client.get(path).status_code == 404
    text(client, "LINK")
    assert len([b for b in replies_to() if "/v/" in b]) == 1  # nothing goes to an opted-out number


def test_link_from_a_number_not_on_the_register_says_how_to_join(client):
    text(client, "LINK", phone="+447700900555")
    (reply,) = replies_to("+447700900555")
    assert "not registered as a volunteer" in reply and "http://testserver/join/" in reply
    assert not VolunteerLink.objects.exists()
