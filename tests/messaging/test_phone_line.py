"""The requests line (issue 17, item 2): a person with only a landline calls the service's number,
hears who they have reached and a short menu, and leaves a message that lands, as a possible
request, in the inbox of the organisation covering the postcode they said (not another's), ready
to become a need; key 2 reaches the duty coordinator in duty hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from messaging.models import InboundCall, InboxEntry
from messaging.phone_calls import postcode_heard
from messaging.services import message_queue
from needs.models import Need
from tests.factories import VolunteerFactory, local_authority
from tests.messaging.conftest import twiml_said, twiml_verbs
from volunteers.models import AuditEvent, Postcode

pytestmark = pytest.mark.django_db

MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # GMT: 12:00 in London
MONDAY_NIGHT = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)


@pytest.fixture
def places(db):
    Postcode.objects.create(
        postcode="B23 6SN", district="B23", latitude=52.53, longitude=-1.83, local_authority=local_authority()
    )


def test_the_caller_hears_who_they_reached_and_the_menu(caller):
    answer = caller().ring()
    assert answer.status_code == 200 and answer["Content-Type"] == "text/xml"
    said = twiml_said(answer)
    assert said.startswith("Hello. You have reached Rekindle.")
    assert "If anyone is in danger, hang up and call 999." in said
    assert "To ask for help, press 1. To speak to the duty coordinator, press 2." in said
    assert twiml_verbs(answer) == ["Say", "Say", "Gather", "Say", "Redirect"]
    assert b'language="en-GB"' in answer.content
    # Stored at once: a caller who hangs up now still leaves a row.
    assert InboundCall.objects.get().outcome == InboundCall.Outcome.ON_THE_LINE


def test_without_a_duty_number_key_2_is_not_offered(caller, settings):
    settings.PHONE_LINE_DUTY_NUMBER = ""
    said = twiml_said(caller().ring())
    assert "press 2" not in said and "To ask for help, press 1. Or stay on the line" in said


def test_a_message_with_a_postcode_lands_in_the_covering_organisations_inbox_and_becomes_a_need(
    caller, places, brum_aid, coventry_together, coordinator, other_coordinator
):
    phone = caller("+447700900777")
    phone.ring()
    record = phone.press("1")
    assert "After the tone, please say your name, what you need help with, and your postcode." in twiml_said(
        record
    )
    assert twiml_verbs(record) == ["Say", "Record", "Say", "Hangup"]
    assert b'recordingStatusCallback="/voice/twilio/line/recording/"' in record.content
    ask = phone.leave_message(seconds=42)
    assert "please say your postcode now" in twiml_said(ask)
    goodbye = phone.say_postcode("B23 6SN")
    assert (
        twiml_said(goodbye) == "Thank you. A person will listen to your message and call you back. Goodbye."
    )
    phone.hang_up(seconds=75)

    (entry,) = InboxEntry.objects.all()
    assert entry.organisation == brum_aid and entry.possible_request and entry.message is None
    assert entry.reasons == [
        "Possibly a request for help: the caller gave the postcode B23 6SN, in Birmingham, which you cover."
    ]
    call = entry.call
    assert (call.outcome, call.recording_seconds, call.duration_seconds) == ("message", 42, 75)

    inbox = Client()
    inbox.force_login(coordinator)
    page = inbox.get("/inbox/").content.decode()
    assert 'A call from <a href="tel:+447700900777">07700 900777</a>' in page
    assert "on the line for 1 minute 15 seconds" in page and "(42 seconds)" in page
    assert f'<audio controls preload="none" src="/inbox/calls/{call.pk}/recording.mp3"' in page
    assert "Postcode given: B23 6SN" in page
    read = AuditEvent.objects.filter(action="inbox.read", actor=coordinator).latest("pk")
    assert read.detail["calls"] == [call.pk]

    elsewhere = Client()
    elsewhere.force_login(other_coordinator)  # Coventry Together's coordinator
    assert "900777" not in elsewhere.get("/inbox/").content.decode()
    assert elsewhere.get(f"/inbox/calls/{call.pk}/recording.mp3").status_code == 404

    form = inbox.get(f"/needs/new/?from_text={entry.pk}")
    assert form.context["form"]["requester_phone"].value() == "07700 900777"
    assert form.context["form"]["postcode"].value() == "B23 6SN"
    assert "Started from a call to the phone line. Listen to their message" in form.content.decode()
    posted = inbox.post(
        f"/needs/new/?from_text={entry.pk}",
        {
            "organisation": brum_aid.pk,
            "category": "shopping",
            "summary": "Weekly shop",
            "postcode": "B23 6SN",
            "requester_phone": "07700 900777",
            "urgency": "normal",
            "requires_dbs": "none",
        },
        follow=True,
    )
    need = Need.objects.get()
    assert need.requester_phone == "+447700900777" and need.organisation == brum_aid
    assert "The call it came from is marked dealt with." in posted.content.decode()
    entry.refresh_from_db()
    assert entry.resolved_by == coordinator


def test_a_caller_the_register_knows_goes_to_their_groups_organisation(caller, brum_aid, coventry_together):
    from tests.factories import MembershipFactory, MutualAidGroupFactory

    volunteer = VolunteerFactory(phone="+447700900555")
    MembershipFactory(
        volunteer=volunteer, group=MutualAidGroupFactory(organisation=coventry_together, name="Foleshill")
    )
    phone = caller(volunteer.phone)
    phone.ring()
    phone.press("1")
    phone.leave_message()
    phone.say_postcode("")  # skipped
    (entry,) = InboxEntry.objects.all()
    assert entry.organisation == coventry_together
    assert entry.reasons == ["A volunteer in your group Foleshill."]


def test_a_stranger_with_no_postcode_goes_to_the_regional_desk(caller, brum_aid, infrastructure):
    phone = caller()
    phone.ring()
    phone.press("1")
    phone.leave_message()
    phone.say_postcode("I don't know it")
    (entry,) = InboxEntry.objects.all()
    assert entry.organisation is None
    assert entry.reasons == [
        "Nobody on the register knows this number.",
        "Possibly a request for help. The caller gave no postcode we could make out, so nobody's area could be told.",
    ]


@pytest.mark.parametrize(
    ("said", "postcode"),
    [
        ("B23 6SN", "B23 6SN"),
        ("b 2 3 6 s n", "B23 6SN"),
        ("it's B23 6SN thank you", "B23 6SN"),
        ("no idea", ""),
    ],
)
def test_the_postcode_is_read_from_what_speech_recognition_wrote(said, postcode):
    assert postcode_heard(said) == postcode


def test_key_2_in_duty_hours_puts_the_caller_through(caller):
    phone = caller()
    phone.ring()
    with time_machine.travel(MONDAY_NOON, tick=False):
        dial = phone.press("2")
    assert twiml_said(dial) == "Putting you through to the duty coordinator. Please hold."
    assert b"<Dial" in dial.content and b">+441214960000</Dial>" in dial.content
    assert b'action="/voice/twilio/line/dialled/"' in dial.content
    done = phone.post("/voice/twilio/line/dialled/", DialCallStatus="completed")
    assert b"<Hangup" in done.content
    phone.hang_up()
    call = InboundCall.objects.get()
    assert call.outcome == "answered" and not InboxEntry.objects.exists()  # dealt with on the phone


def test_key_2_unanswered_takes_a_message(caller):
    phone = caller()
    phone.ring()
    with time_machine.travel(MONDAY_NOON, tick=False):
        phone.press("2")
    message = phone.post("/voice/twilio/line/dialled/", DialCallStatus="no-answer")
    assert twiml_said(message).startswith(
        "Sorry, the duty coordinator cannot answer just now. Please leave a message."
    )
    assert b"<Record" in message.content


def test_key_2_out_of_hours_takes_a_message(caller):
    phone = caller()
    phone.ring()
    with time_machine.travel(MONDAY_NIGHT, tick=False):
        message = phone.press("2")
    assert b"<Dial" not in message.content and b"<Record" in message.content
    assert twiml_said(message).startswith(
        "The duty coordinator answers the phone from 9am to 5pm. Please leave a message."
    )


def test_no_key_or_a_wrong_key_says_the_menu_once_more_then_takes_a_message(caller):
    phone = caller()
    phone.ring()
    again = phone.press("7")
    assert twiml_said(again).startswith("Sorry, that key is not on the menu. To ask for help, press 1.")
    assert b'action="/voice/twilio/line/menu/?try=2"' in again.content
    message = phone.press("", attempt=2)
    assert b"<Record" in message.content and twiml_said(message).startswith("Please leave a message.")


def test_a_caller_who_hangs_up_mid_menu_is_in_the_inbox_as_called_with_no_message(
    caller, coordinator, places, brum_aid
):
    phone = caller()
    phone.ring()
    phone.hang_up(seconds=9)
    call = InboundCall.objects.get()
    assert call.outcome == "no_message" and call.needs_attention
    (entry,) = InboxEntry.objects.all()
    assert entry.organisation is None  # nothing to tell whose area: the regional desk
    # A withheld number with no message is nothing anyone can act on: a row, no inbox copy.
    hidden = caller("+266696687")
    hidden.ring()
    hidden.hang_up(seconds=4)
    assert InboundCall.objects.count() == 2 and InboxEntry.objects.count() == 1


def test_the_recording_callback_keeps_the_recording_once(caller):
    phone = caller()
    phone.ring()
    phone.press("1")
    phone.leave_message(seconds=30, sid="RE" + "b" * 32)
    # Twilio's recordingStatusCallback, twice (a retry), after the <Record> action told us already.
    for _ in range(2):
        assert (
            phone.post(
                "/voice/twilio/line/recording/",
                RecordingSid="RE" + "c" * 32,
                RecordingUrl="https://api.twilio.com/elsewhere",
                RecordingStatus="completed",
                RecordingDuration="31",
            ).status_code
            == 204
        )
    call = InboundCall.objects.get()
    assert call.recording_sid == "RE" + "b" * 32 and call.recording_seconds == 30


def test_a_recording_that_comes_after_the_call_ended_is_kept(caller):
    phone = caller()
    phone.ring()
    phone.press("1")
    phone.hang_up()  # before the <Record> action came
    phone.post(
        "/voice/twilio/line/recording/",
        RecordingSid="RE" + "d" * 32,
        RecordingUrl=f"https://api.twilio.com/2010-04-01/Accounts/AC{'1' * 32}/Recordings/RE{'d' * 32}",
        RecordingStatus="completed",
        RecordingDuration="12",
    )
    call = InboundCall.objects.get()
    assert call.outcome == "message" and call.recording_seconds == 12
    assert InboxEntry.objects.get().call == call


def test_a_retried_webhook_stores_the_call_once(caller):
    phone = caller()
    for _ in range(3):
        assert phone.ring().status_code == 200
    phone.press("1")
    phone.leave_message()
    phone.say_postcode("")
    phone.say_postcode("")  # Twilio retried
    phone.hang_up()
    phone.hang_up()
    assert InboundCall.objects.count() == 1 and InboxEntry.objects.count() == 1
    assert AuditEvent.objects.filter(action="inbox.received").count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/voice/twilio/inbound/",
        "/voice/twilio/inbound",
        "/voice/twilio/line/menu/?try=1",
        "/voice/twilio/line/ended/",
    ],
)
def test_a_forged_request_gets_403_and_stores_nothing(caller, path):
    phone = caller()
    response = phone.post(path, token="not-ours", Digits="1", CallStatus="completed")
    assert response.status_code == 403
    unsigned = Client().post(path, {"CallSid": phone.call_sid, "From": phone.phone})
    assert unsigned.status_code == 403
    assert not InboundCall.objects.exists()


def test_both_forms_of_the_address_answer(caller):
    phone = caller()
    assert phone.post("/voice/twilio/inbound").status_code == 200
    assert phone.post("/voice/twilio/line/menu", Digits="1").status_code == 200
    assert InboundCall.objects.get().choice == "help"


def test_the_organisations_coordinators_are_alerted_to_a_call_waiting(caller, places, brum_aid, coordinator):
    from operations.models import Alert

    phone = caller()
    phone.ring()
    phone.press("1")
    phone.leave_message()
    phone.say_postcode("B23 6SN")
    alert = Alert.objects.get()
    assert (alert.organisation, alert.subject, alert.path) == (
        brum_aid,
        "A call to the phone line is waiting in the inbox of Brum Aid",
        "/inbox/",
    )
    assert "07700" not in alert.text and "B23" not in alert.text  # alerts carry no personal data


def test_a_call_walked_as_twilio_would_follows_the_twiml_to_the_inbox(
    phone_line, brum_aid, django_capture_on_commit_callbacks
):
    """The call walker (tests/fakes/call_walker.py) reads each answer's TwiML and does what Twilio
    would: the menu's Gather, the Record, the postcode's Gather (skipped with #), the hang-up."""
    from types import SimpleNamespace

    from tests.fakes.call_walker import CallWalker, django_post

    twilio = SimpleNamespace(
        account_sid="AC" + "1" * 32, auth_token="test-auth-token", callback_token="", calls={}
    )
    walker = CallWalker(
        twilio,
        post=django_post(Client(), around=lambda: django_capture_on_commit_callbacks(execute=True)),
        base_url="http://testserver",
    )
    call = walker.call_in(
        "/voice/twilio/inbound/",
        from_="+447700900888",
        to="+447700900000",
        status_callback="http://testserver/voice/twilio/line/ended/",
    )
    assert call.said[0].startswith("Hello. You have reached Rekindle.")
    walker.press(call.sid, "1")
    assert call.said[-1].startswith("After the tone, please say your name")
    walker.record(call.sid, duration=20)
    walker.press(call.sid, "#")
    assert (
        call.ended
        and call.said[-1] == "Thank you. A person will listen to your message and call you back. Goodbye."
    )
    stored = InboundCall.objects.get()
    assert (stored.outcome, stored.recording_seconds, stored.call_status) == ("message", 20, "completed")
    assert InboxEntry.objects.get().organisation is None  # nobody knows them, no postcode: the desk


def test_a_call_whose_end_twilio_never_reported_is_settled_by_the_periodic_job(caller, brum_aid):
    from messaging.tasks import calls_unfinished_route

    phone = caller()
    phone.ring()
    phone.press("1")  # and nothing more: no recording, no status callback (console left unset)
    assert calls_unfinished_route() == 0  # it may still be going on
    with time_machine.travel(timezone.now() + timedelta(hours=4)):
        assert calls_unfinished_route() == 1
        assert calls_unfinished_route() == 0
    call = InboundCall.objects.get()
    assert call.outcome == "no_message" and InboxEntry.objects.get().call == call


def test_a_caller_who_cannot_read_hears_their_own_texts_with_key_3_but_not_someone_elses_details(caller):
    """Every text ends "To hear this, call ..." (the phone line): key 3 reads the caller's recent
    texts, in the voice of their language, but never a text holding another person's details
    (a caller's number can be faked)."""
    volunteer = VolunteerFactory(phone="+447700900321", preferred_language="pl")
    offer = "Rekindle: czy możesz pomóc? Zakupy, Erdington. Odpowiedz YES 7KQ2."
    message_queue(to=volunteer.phone, body=offer, dedupe_key="t:offer", purpose="offer", volunteer=volunteer)
    message_queue(
        to=volunteer.phone,
        body="Rekindle: 7KQ2 jest twoje. Mrs Ada Lovelace, 07700 900555, 5 Hidden Close.",
        dedupe_key="t:details",
        purpose="offer_accepted",
        volunteer=volunteer,
        about_phone="+447700900555",
    )

    phone = caller(volunteer.phone)
    answer = phone.ring()  # a volunteer who reads Polish hears the line in Polish
    assert "Aby odsłuchać SMS-y, które do Ciebie wysłaliśmy, naciśnij 3." in twiml_said(answer)
    assert b'language="pl-PL"' in answer.content and b"Polly.Amy" not in answer.content
    heard = phone.press("3")
    said = twiml_said(heard)
    assert "Oto, co ostatnio wysłaliśmy Ci SMS-em." in said and offer in said
    assert "Hidden Close" not in said and "07700 900555" not in said
    assert "SMS z danymi osoby, której pomagasz, nie jest odczytywany na tej linii" in said

    # A number we never texted is not offered key 3, and hears the line in English.
    stranger = caller("+447700900322").ring()
    assert "press 3" not in twiml_said(stranger) and b'language="en-GB"' in stranger.content
