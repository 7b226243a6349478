"""LANGUAGE <name> by text, through the signed webhook: the volunteer's replies, offer texts and
pages change language at once; English names and own names alike, any case; an unknown name gets
the list of choices."""

from __future__ import annotations

import re

import pytest
from twilio.request_validator import RequestValidator

from core.languages import language_find
from messaging import transports
from messaging.encoding import UCS2, sms_segments
from messaging.grammar import LANGUAGE, sms_parse
from messaging.models import InboundMessage, OutboundMessage
from needs.models import Need
from needs.services.offers import offers_make
from tests.factories import (
    BIRMINGHAM,
    MembershipFactory,
    MutualAidGroupFactory,
    NeedFactory,
    VolunteerFactory,
)
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db
INBOUND = "/sms/twilio/inbound/"
PHONE = "+447700900123"
_sids = iter(range(10**6))
_capture = {}


@pytest.fixture(autouse=True)
def commit_callbacks(django_capture_on_commit_callbacks, settings):
    _capture["run"] = django_capture_on_commit_callbacks
    settings.PHONE_LINE_NUMBER = "+441214960000"


def text(client, body, phone=PHONE) -> InboundMessage:
    sid = f"SMlang{next(_sids):08d}"
    params = {"MessageSid": sid, "From": phone, "To": "+447700900000", "Body": body}
    sig = RequestValidator("test-auth-token").compute_signature("http://testserver" + INBOUND, params)
    with _capture["run"](execute=True):
        assert client.post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=sig).status_code == 200
    return InboundMessage.objects.get(message_sid=sid)


def last_reply(phone=PHONE) -> str:
    return OutboundMessage.objects.filter(to=phone, purpose="reply").order_by("-pk").first().body


@pytest.fixture
def val(brum_aid):
    """Val: an English-speaking volunteer of a Brum Aid group, in Birmingham."""
    person = VolunteerFactory(
        name="Val Verity", phone=PHONE, skills=["shopping"], latitude=BIRMINGHAM[0], longitude=BIRMINGHAM[1]
    )
    MembershipFactory(volunteer=person, group=MutualAidGroupFactory(organisation=brum_aid))
    return person


@pytest.mark.parametrize(
    ("body", "argument", "code"),
    [
        ("LANGUAGE URDU", "URDU", "ur"),
        ("language polski", "polski", "pl"),
        ("LANGUAGE POLISH", "POLISH", "pl"),
        ("Language: اردو", "اردو", "ur"),
        ("lang ਪੰਜਾਬੀ", "ਪੰਜਾਬੀ", "pa"),
        ("LANGUAGE bangla", "bangla", "bn"),
        ("hi, language Arabic please", "Arabic please", None),  # not one name: the choices are listed
        ("Język polski", "polski", "pl"),
        ("LANGUAGE english", "english", "en"),
        ("LANGUAGE", "", None),
    ],
)
def test_the_grammar_reads_a_language_by_its_english_or_own_name(body, argument, code):
    parsed = sms_parse(body)
    assert parsed.name == LANGUAGE and parsed.argument == argument
    found = language_find(parsed.argument)
    assert (found.code if found else None) == code


def test_language_polski_switches_replies_offer_texts_and_pages(client, val, brum_aid):
    text(client, "LANGUAGE POLSKI")
    val.refresh_from_db()
    assert val.preferred_language == "pl"
    assert last_reply() == (
        "Od teraz będziemy pisać do Ciebie po polsku. Aby to zmienić, wyślij LANGUAGE i nazwę języka. "
        "Aby to odsłuchać, zadzwoń pod 0121 496 0000."
    )

    text(client, "HELP")
    assert last_reply().startswith("Odpisz YES REF, aby wziąć zadanie")

    need = NeedFactory(organisation=brum_aid, latitude=BIRMINGHAM[0], longitude=BIRMINGHAM[1])
    assert [o.volunteer_id for o in offers_make(need=need)] == [val.pk]
    offer_text = OutboundMessage.objects.get(purpose="offer", to=PHONE)
    assert f"czy możesz pomóc? {need.ref} Zakupy" in offer_text.body
    assert f"Odpisz YES {need.ref} lub NO {need.ref}" in offer_text.body
    assert offer_text.body.endswith("Aby to odsłuchać, zadzwoń pod 0121 496 0000.")
    assert offer_text.encoding == UCS2 and offer_text.segments == sms_segments(offer_text.body).segments

    page = client.get(re.search(r"/o/[^/ ]+/", offer_text.body).group(0)).content.decode()
    assert '<html lang="pl" dir="ltr">' in page and "Czy możesz pomóc?" in page
    assert "Tak, mogę pomóc" in page and "Weekly shop for an older person" in page  # their words, as typed

    text(client, "LINK")
    assert last_reply().startswith("Twoja strona")
    own_page = client.get(re.search(r"/v/[^/ ]+/", last_reply()).group(0)).content.decode()
    assert '<html lang="pl" dir="ltr">' in own_page and "Kiedy możesz pomóc?" in own_page

    text(client, "LANGUAGE ENGLISH")
    assert last_reply().startswith("From now on we will write to you in English.")
    assert Volunteer.objects.get(pk=val.pk).preferred_language == "en"


def test_language_urdu_by_its_own_name_answers_in_urdu_right_to_left_on_the_page(client, val):
    text(client, "language اردو")
    assert Volunteer.objects.get(pk=val.pk).preferred_language == "ur"
    assert last_reply().startswith("اب سے ہم آپ کو اردو میں لکھیں گے")
    assert sms_segments(last_reply()).encoding == UCS2
    text(client, "LINK")
    own_page = client.get(re.search(r"/v/[^/ ]+/", last_reply()).group(0)).content.decode()
    assert '<html lang="ur" dir="rtl">' in own_page


def test_an_unknown_language_gets_the_choices_and_changes_nothing(client, val):
    message = text(client, "LANGUAGE KLINGON")
    assert message.outcome == InboundMessage.Outcome.HANDLED
    assert Volunteer.objects.get(pk=val.pk).preferred_language == "en"
    assert last_reply() == (
        "Sorry, we do not know that language. Text LANGUAGE and one of: ENGLISH, PUNJABI (ਪੰਜਾਬੀ), "
        "URDU (اردو), BENGALI (বাংলা), POLISH (Polski), ARABIC (العربية). "
        "To hear this, call 0121 496 0000."
    )


def test_a_number_that_is_not_a_volunteer_is_told_how_to_join(client):
    text(client, "LANGUAGE URDU", phone="+447700900999")
    assert "sign up at http" in last_reply(phone="+447700900999")
    assert not Volunteer.objects.filter(phone="+447700900999").exists()


def test_after_stop_language_changes_nothing_and_sends_nothing(client, val):
    text(client, "STOP")
    transports.outbox.clear()
    text(client, "LANGUAGE POLSKI")
    assert Volunteer.objects.get(pk=val.pk).preferred_language == "en"
    assert [sms for sms in transports.outbox if sms.to == PHONE] == []
    assert not Need.objects.exists()
