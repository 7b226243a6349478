"""A volunteer who is called hears the offer, takes it with key 1, and only then hears who and where."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from needs.models import Need, Offer
from needs.services.offers import offers_make
from tests.factories import NeedFactory, VolunteerFactory
from tests.voice.conftest import LANDLINE, only_call, texts_to
from voice.models import OutboundCall
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def a_need(**kwargs):
    start = timezone.now() + timedelta(hours=2)
    fields = {
        "requester_name": "Edna Example",
        "requester_address": "1 Example Road, Birmingham",
        "requester_phone": "+447700900777",
        "details": "Milk, bread, tea. Knock loudly.",
        "window_start": start,
        "window_end": start + timedelta(hours=2),
    }
    return NeedFactory(**{**fields, **kwargs})


def called_volunteer(**kwargs):
    return VolunteerFactory(contact_by=Volunteer.ContactBy.VOICE, **kwargs)


def test_key_1_takes_the_task_and_the_details_are_said_twice_only_then(phone_network, run_on_commit):
    volunteer = called_volunteer(name="Cal Caller")
    need = a_need()
    run_on_commit(offers_make, need=need, count=1)

    assert texts_to(phone_network, volunteer.phone) == []  # called, not texted
    sid = only_call(phone_network, volunteer.phone)
    call = phone_network.walker.answer(sid)
    heard = " ".join(call.said)
    assert "Shopping" in heard and "B1" in heard and "Press 1 to take it." in heard
    for secret in ("Edna", "Example Road", "Milk", "0 7 7 0 0, 9 0 0 7 7 7"):
        assert secret not in heard

    phone_network.walker.press(sid, "1")

    after = call.said[
        call.said.index("Thank you, this task is yours. Here are the details. I will say them twice.") :
    ]
    assert after.count("Name: Edna Example.") == 2
    assert after.count("Address: 1 Example Road, Birmingham.") == 2
    assert after.count("Phone number: 0 7 7 0 0, 9 0 0 7 7 7.") == 2
    assert "We have sent you these details by text as well." in after
    need.refresh_from_db()
    assert need.status == Need.Status.ASSIGNED and need.assigned_volunteer_id == volunteer.pk
    assert Offer.objects.get(need=need).response_channel == "voice"
    (details,) = texts_to(phone_network, volunteer.phone)
    assert "Edna Example" in details
    row = OutboundCall.objects.get()
    assert row.state == OutboundCall.State.COMPLETED and row.outcome == "accepted" and row.keys == "1"


def test_a_landline_is_called_and_never_texted_the_details(phone_network, run_on_commit):
    volunteer = VolunteerFactory(phone=LANDLINE)  # chose texts, but a landline cannot take them
    need = a_need()
    run_on_commit(offers_make, need=need, count=1)
    sid = only_call(phone_network, LANDLINE)
    phone_network.walker.answer(sid)
    call = phone_network.walker.press(sid, "1")
    assert "Name: Edna Example." in call.said
    assert "We have sent you these details by text as well." not in call.said
    assert texts_to(phone_network, LANDLINE) == []
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.ACTIVE


def test_key_2_declines_and_the_next_volunteer_is_offered_it(phone_network, run_on_commit):
    first = called_volunteer(latitude=52.4800, longitude=-1.9000)
    second = VolunteerFactory(latitude=52.4700, longitude=-1.9100)
    need = a_need(latitude=52.4801, longitude=-1.9001)
    run_on_commit(offers_make, need=need, count=1)
    sid = only_call(phone_network, first.phone)
    phone_network.walker.answer(sid)
    call = phone_network.walker.press(sid, "2")
    assert call.said[-1] == "No problem, we will ask someone else. Thank you. Goodbye."
    assert Offer.objects.get(volunteer=first).status == Offer.Status.DECLINED
    (offer_text,) = texts_to(phone_network, second.phone)
    assert need.ref in offer_text


def test_key_3_says_the_offer_again_and_an_unknown_key_says_so(phone_network, run_on_commit):
    volunteer = called_volunteer()
    run_on_commit(offers_make, need=a_need(), count=1)
    sid = only_call(phone_network, volunteer.phone)
    call = phone_network.walker.answer(sid)
    opening = list(call.said)
    phone_network.walker.press(sid, "3")
    assert call.said == opening + opening
    phone_network.walker.press(sid, "5")
    assert call.said[len(opening) * 2] == "Sorry, that key does nothing here."
    assert call.said[len(opening) * 2 + 1 :] == opening
