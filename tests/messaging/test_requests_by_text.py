"""Requests for help by text (issue 15): a text from a number that is not a volunteer's and reads
like a request goes to the inbox of the organisation covering the postcode in it (or the regional
desk), marked a possible request, and gets one kind answer a day saying a person will call back."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from messaging.inbound import HELP_TEXT, NOT_UNDERSTOOD_TEXT
from messaging.models import InboxEntry, OutboundMessage
from messaging.request_words import TextRequest, postcode_in, request_read
from tests.factories import VolunteerFactory, local_authority
from tests.messaging.conftest import reply_to
from volunteers.models import Postcode

SHOPPING = "I need help with shopping, I live at B23 6SN"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SHOPPING, TextRequest(postcode="B23 6SN")),
        ("can someone collect my prescription b236sn", TextRequest(postcode="B23 6SN")),
        ("my dad has collapsed", TextRequest(postcode="")),  # words of distress
        ("Lonely since my wife died, CV1 2AB", TextRequest(postcode="CV1 2AB")),
        ("need food, B23-6SN", TextRequest(postcode="")),  # not the shape of a postcode: no area
        ("thanks, wrong number", None),
        ("B23 6SN", None),  # a postcode alone asks for nothing
        ("B23 6SN thanks", None),
        ("Can someone come round to B23 6SN", TextRequest(postcode="B23 6SN")),  # a postcode in a sentence
        ("what is this?", None),
    ],
)
def test_what_reads_like_a_request(text, expected):
    assert request_read(text) == expected


def test_the_postcode_is_the_first_real_one():
    assert postcode_in("QA1 1AA is wrong, I am at b1 1aa") == "B1 1AA"
    assert postcode_in("no postcode here") == ""


@pytest.fixture
def places(db):
    Postcode.objects.create(
        postcode="B23 6SN", district="B23", latitude=52.53, longitude=-1.83, local_authority=local_authority()
    )
    Postcode.objects.create(
        postcode="WS1 1AA",
        district="WS1",
        latitude=52.58,
        longitude=-1.98,
        local_authority=local_authority("Walsall"),
    )


def kind_replies() -> list[str]:
    return list(OutboundMessage.objects.filter(purpose="request_reply").values_list("body", flat=True))


def test_a_request_goes_to_the_organisation_covering_its_postcode(
    send_text, places, brum_aid, coventry_together, infrastructure
):
    text = send_text(SHOPPING, phone="+447700900777")
    (entry,) = InboxEntry.objects.all()
    assert entry.organisation == brum_aid and entry.possible_request  # not Coventry, not the desk
    assert entry.reasons == [
        "Possibly a request for help: the postcode B23 6SN in it is in Birmingham, which you cover."
    ]
    assert kind_replies() == [
        "Thank you for your message. A person from Brum Aid will call you back on this number. "
        "If anyone is in danger, call 999."
    ]
    assert reply_to(text) is None  # not "we did not understand that"
    assert OutboundMessage.objects.get(purpose="request_reply").to == "+447700900777"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("please help, no food in the house", "It has no postcode in it"),
        (
            "need my prescription collected WS1 1AA",
            "Its postcode WS1 1AA is in Walsall, which no organisation",
        ),
        ("need my prescription collected B99 9ZZ", "Its postcode B99 9ZZ is not one we can place"),
    ],
)
def test_with_no_area_to_send_it_to_it_goes_to_the_regional_desk(send_text, places, brum_aid, body, why):
    send_text(body, phone="+447700900777")
    (entry,) = InboxEntry.objects.all()
    assert entry.is_desk and entry.possible_request
    assert why in entry.reasons[1]
    assert kind_replies() == [
        "Thank you for your message. A person from Rekindle will call you back on this number. "
        "If anyone is in danger, call 999."
    ]


def test_the_kind_answer_goes_once_a_day_however_many_texts(send_text, places, brum_aid):
    first = send_text(SHOPPING, phone="+447700900777")
    second = send_text("Hello? I still need help with shopping", phone="+447700900777")
    assert len(kind_replies()) == 1 and reply_to(second) is None
    assert InboxEntry.objects.filter(possible_request=True).count() == 2  # both reach a person
    with time_machine.travel(first.received_at + timedelta(days=1)):
        send_text("need help with shopping again please B23 6SN", phone="+447700900777")
    assert len(kind_replies()) == 2


def test_a_volunteers_text_and_a_command_are_not_requests(send_text, places, brum_aid):
    VolunteerFactory(phone="+447700900321")
    volunteer_text = send_text(SHOPPING, phone="+447700900321")
    assert reply_to(volunteer_text) == NOT_UNDERSTOOD_TEXT
    assert not InboxEntry.objects.filter(possible_request=True).exists()
    help_text = send_text("HELP", phone="+447700900777")
    assert reply_to(help_text) == HELP_TEXT and kind_replies() == []


def test_the_inbox_marks_it_and_offers_to_start_a_need(client, send_text, places, coordinator):
    send_text(SHOPPING, phone="+447700900777")
    entry = InboxEntry.objects.get()
    client.force_login(coordinator)
    page = client.get("/inbox/").content.decode()
    assert "Possible request for help" in page
    assert f'href="/needs/new/?from_text={entry.pk}">Start a need from this text</a>' in page
