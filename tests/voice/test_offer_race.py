"""Key 1 on a call is the same claim as YES by text: whoever comes first, one winner, and only the
winner hears the requester's details."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from messaging.models import OutboundMessage
from needs.models import Need, Offer
from needs.services.offers import offers_make
from tests.factories import VolunteerFactory
from tests.fakes.call_walker import django_post
from tests.voice.conftest import only_call, texts_to
from tests.voice.test_offer_by_call import a_need, called_volunteer

TAKEN = "Someone else has taken it, thank you. Goodbye."


@pytest.mark.django_db
def test_a_caller_who_presses_1_after_a_yes_by_text_hears_it_is_taken_and_nothing_more(
    phone_network, run_on_commit, text_in
):
    caller = called_volunteer()
    texter = VolunteerFactory()
    need = a_need()
    run_on_commit(offers_make, need=need, count=2)
    sid = only_call(phone_network, caller.phone)
    phone_network.walker.answer(sid)
    text_in(texter.phone, f"yes {need.ref}")

    call = phone_network.walker.press(sid, "1")

    assert call.said[-1] == TAKEN
    heard = " ".join(call.said)
    assert "Edna" not in heard and "Example Road" not in heard and "Milk" not in heard
    need.refresh_from_db()
    assert need.assigned_volunteer_id == texter.pk
    assert Offer.objects.get(volunteer=caller).status == Offer.Status.WITHDRAWN


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_key_1_and_two_yes_texts_at_the_same_moment_make_one_winner(phone_network, text_in):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... (SQLite serialises writers itself)")
    caller = called_volunteer()
    texters = [VolunteerFactory(), VolunteerFactory()]
    need = a_need()
    offers_make(need=need, count=3)
    sid = only_call(phone_network, caller.phone)
    phone_network.walker.answer(sid)
    phone_network.walker.post = django_post(Client())
    barrier = threading.Barrier(3)
    errors: list[str] = []

    def race(act):
        try:
            barrier.wait(timeout=10)
            act()
        except Exception as exc:  # reported below: a thread's failure must fail the test
            errors.append(repr(exc))
        finally:
            connections.close_all()

    acts = [lambda: phone_network.walker.press(sid, "1")] + [
        (lambda phone=t.phone: text_in(phone, f"YES {need.ref}", client=Client())) for t in texters
    ]
    threads = [threading.Thread(target=race, args=(act,)) for act in acts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    need.refresh_from_db()
    (winner,) = Offer.objects.filter(need=need, status=Offer.Status.ACCEPTED)
    assert need.status == Need.Status.ASSIGNED and need.assigned_volunteer_id == winner.volunteer_id
    assert OutboundMessage.objects.filter(purpose="offer_accepted").count() == 1
    said = phone_network.walker.walked[sid].said
    if winner.volunteer_id == caller.pk:
        assert said.count("Name: Edna Example.") == 2
    else:
        assert said[-1] == TAKEN and "Name: Edna Example." not in said
    for texter in texters:
        if texter.pk != winner.volunteer_id:
            assert any("already been taken" in body for body in texts_to(phone_network, texter.phone))
