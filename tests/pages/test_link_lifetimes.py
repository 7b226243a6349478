"""Volunteer links (issue 13): random tokens kept only as a hash, that say nothing about the person,
and an offer's link that ends when the offer does, then shows nothing of the task or the person."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from needs.models import Need, Offer
from needs.services.claim import offer_accept
from needs.services.lifecycle import need_cancel, need_mark_done
from needs.services.offers import offer_decline
from tests.factories import NeedFactory, OfferFactory, VolunteerFactory, offer_path
from volunteers.links import page_link_issue, token_hash
from volunteers.models import VolunteerLink

pytestmark = pytest.mark.django_db


def test_a_page_link_carries_nothing_about_the_person_and_the_server_keeps_only_its_hash():
    person = VolunteerFactory(phone="+447700900039")
    token = page_link_issue(volunteer=person).split("/")[2]
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    # 256 random bits and nothing else: no id, no number, no signature to strip off and decode.
    assert len(decoded) == 32 and b"7700900039" not in decoded and ":" not in token
    (stored,) = VolunteerLink.objects.values_list("token_hash", flat=True)
    assert stored == token_hash(token) and stored != token


@pytest.fixture
def offered(brum_aid):
    need = NeedFactory(
        organisation=brum_aid,
        status=Need.Status.OFFERED,
        summary="Weekly shop for an older person",
        requester_name="Edna Example",
        requester_address="1 Example Road",
    )
    offer = OfferFactory(
        need=need, volunteer=VolunteerFactory(), expires_at=timezone.now() + timedelta(hours=1)
    )
    return need, offer


def assert_ended_plainly(response, need):
    html = response.content.decode()
    assert response.status_code == 410 and "This request has ended" in html
    for detail in (need.summary, need.ref, "Edna", "Example Road", "B1", "km"):
        assert detail not in html, detail
    assert "/v/" not in html and "my_page" not in html and "<form" not in html


def test_an_open_offer_s_link_shows_the_task(client, offered):
    need, offer = offered
    html = client.get(offer_path(offer)).content.decode()
    assert need.summary in html and "Yes, I can help" in html and "Edna" not in html


def test_the_link_ends_when_the_volunteer_declines(client, offered):
    need, offer = offered
    path = offer_path(offer)
    offer_decline(offer=offer, channel=Offer.Channel.SMS)
    response = client.get(path)
    assert_ended_plainly(response, need)
    assert "You said no to this one" in response.content.decode()


def test_the_link_ends_when_the_offer_runs_out(client, offered):
    need, offer = offered
    path = offer_path(offer)
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        response = client.get(path)
        assert_ended_plainly(response, need)
        assert "run out" in response.content.decode()
        client.post(path, {"action": "accept"})  # too late: a button pressed on an old page
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.OFFERED


def test_the_link_ends_when_someone_else_takes_it(client, offered):
    need, offer = offered
    path = offer_path(offer)
    other = OfferFactory(need=need, volunteer=VolunteerFactory(), expires_at=offer.expires_at)
    offer_accept(offer=other)
    assert_ended_plainly(client.get(path), need)


def test_the_link_ends_when_the_need_is_closed(client, offered):
    need, offer = offered
    path = offer_path(offer)
    need_cancel(need=need, reason="the family sorted it")
    response = client.get(path)
    assert_ended_plainly(response, need)
    assert "closed" in response.content.decode()


def test_the_accepter_s_page_works_while_the_need_is_assigned_and_ends_when_it_is_done(client, offered):
    need, offer = offered
    path = offer_path(offer)
    offer_accept(offer=offer, channel=Offer.Channel.WEB)
    html = client.get(path).content.decode()
    assert "Edna Example" in html and "1 Example Road" in html
    need_mark_done(need=Need.objects.get(pk=need.pk))
    response = client.get(path)
    assert_ended_plainly(response, need)
    assert "done" in response.content.decode()


def test_an_offer_link_is_revoked_when_the_volunteer_opts_out(client, offered):
    from volunteers.contact_state import Event, contact_event_record

    _need, offer = offered
    path = offer_path(offer)
    contact_event_record(phone=offer.volunteer.phone, event=Event.STOP)
    assert client.get(path).status_code == 404
