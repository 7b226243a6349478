"""The claim: exactly one volunteer wins a need, whatever the timing."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from messaging.models import OutboundMessage
from needs.models import Need, Offer
from needs.services.claim import AcceptOutcome, offer_accept
from needs.services.lifecycle import need_cancel
from tests.factories import BIRMINGHAM, NeedFactory, OfferFactory, OrganisationFactory, VolunteerFactory
from volunteers.models import AuditEvent

LAT, LON = BIRMINGHAM


def offered_need(n=3, **kwargs):
    need = NeedFactory(status=Need.Status.OFFERED, **kwargs)
    offers = [
        OfferFactory(
            need=need,
            volunteer=VolunteerFactory(),
            rank=i + 1,
            expires_at=timezone.now() + timedelta(hours=1),
        )
        for i in range(n)
    ]
    return need, offers


@pytest.mark.django_db
def test_the_first_yes_wins_and_the_rest_are_told_it_is_taken():
    need, (a, b, c) = offered_need(requester_name="Edna Example", requester_address="1 Example Road")
    assert offer_accept(offer=b, channel="web") == AcceptOutcome.ACCEPTED
    assert offer_accept(offer=a) == AcceptOutcome.ALREADY_TAKEN
    assert offer_accept(offer=b) == AcceptOutcome.ALREADY_YOURS
    need.refresh_from_db()
    assert need.status == Need.Status.ASSIGNED and need.assigned_volunteer_id == b.volunteer_id
    assert {o.pk: o.status for o in Offer.objects.all()} == {
        a.pk: "withdrawn",
        b.pk: "accepted",
        c.pk: "withdrawn",
    }
    winner_text = OutboundMessage.objects.get(dedupe_key=f"offer-accepted:{b.pk}")
    assert winner_text.to == b.volunteer.phone
    assert "Edna Example" in winner_text.body and "1 Example Road" in winner_text.body
    for loser in (a, c):
        told = OutboundMessage.objects.get(dedupe_key=f"offer-withdrawn:{loser.pk}")
        assert told.to == loser.volunteer.phone and "taken by another volunteer" in told.body
        assert "Edna" not in told.body
    event = AuditEvent.objects.get(action="need.assigned")
    assert event.organisation == need.organisation and event.detail["volunteer_id"] == b.volunteer_id


@pytest.mark.django_db
def test_an_expired_offer_cannot_be_accepted_and_leaves_the_need_free():
    need, (a, b) = offered_need(2)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert offer_accept(offer=a) == AcceptOutcome.EXPIRED
    need.refresh_from_db()
    assert need.status == Need.Status.OFFERED and need.assigned_volunteer is None
    assert offer_accept(offer=b) == AcceptOutcome.ACCEPTED


@pytest.mark.django_db
def test_a_cancelled_need_cannot_be_accepted():
    need, (a,) = offered_need(1)
    need_cancel(need=need)
    assert offer_accept(offer=a) == AcceptOutcome.NOT_OPEN
    assert OutboundMessage.objects.filter(dedupe_key=f"offer-withdrawn:{a.pk}").exists()


@pytest.mark.django_db
def test_the_claim_takes_a_fixed_number_of_queries(django_assert_num_queries):
    _need, (a, b, _c) = offered_need(3)
    # Win: the conditional UPDATEs of need and offer, reload both, withdraw the other two (find,
    # update, look up their offer texts in the outbox and their offer calls in the call outbox, load),
    # queue three texts (7 queries each in messaging), the winner's new offer link (one INSERT: only
    # its hash is kept), audit, reload the offer.
    with django_assert_num_queries(2 + 2 + 2 + 5 + 3 * 7 + 1 + 1 + 1):
        assert offer_accept(offer=a) == AcceptOutcome.ACCEPTED
    # Lose (the hot path in a race): one UPDATE that matches nothing, two reads to say why.
    with django_assert_num_queries(4 + 2):  # savepoint, UPDATE, rollback, release; 2 reads
        assert offer_accept(offer=b) == AcceptOutcome.ALREADY_TAKEN


@pytest.mark.django_db
def test_on_sqlite_two_claims_from_stale_copies_still_have_one_winner():
    """SQLite serialises writers (IMMEDIATE transactions), so a race there is two claims in a row,
    each made from a copy of the offer read before either wrote: the second must lose."""
    _need, (a, b) = offered_need(2)
    stale_a, stale_b = Offer.objects.get(pk=a.pk), Offer.objects.get(pk=b.pk)
    assert offer_accept(offer=stale_b) == AcceptOutcome.ACCEPTED
    assert offer_accept(offer=stale_a) == AcceptOutcome.ALREADY_TAKEN
    assert Offer.objects.filter(status="accepted").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_accepts_on_postgresql_one_assignment_nineteen_already_taken():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... (SQLite serialises writers itself)")
    _run_race(20)


def _run_race(n):
    org = OrganisationFactory()
    need = NeedFactory(organisation=org, status=Need.Status.OFFERED)
    offers = [
        OfferFactory(
            need=need,
            volunteer=VolunteerFactory(),
            rank=i + 1,
            expires_at=timezone.now() + timedelta(hours=1),
        )
        for i in range(n)
    ]
    barrier = threading.Barrier(n)
    outcomes, errors = [], []

    def accept(offer):
        try:
            barrier.wait(timeout=10)
            outcomes.append(offer_accept(offer=offer))  # each thread has its own connection
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(o,)) for o in offers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(outcomes).count(AcceptOutcome.ACCEPTED) == 1
    assert outcomes.count(AcceptOutcome.ALREADY_TAKEN) == n - 1
    need.refresh_from_db()
    winner = Offer.objects.get(status=Offer.Status.ACCEPTED)
    assert need.status == Need.Status.ASSIGNED and need.assigned_volunteer_id == winner.volunteer_id
    assert Offer.objects.filter(status=Offer.Status.WITHDRAWN).count() == n - 1
    assert OutboundMessage.objects.filter(purpose="offer_accepted").count() == 1
    assert OutboundMessage.objects.filter(purpose="offer_withdrawn").count() == n - 1


@pytest.mark.django_db
def test_a_volunteer_who_has_opted_out_since_cannot_take_the_offer():
    from volunteers.contact_state import Event, contact_event_record

    need, (offer, *_rest) = offered_need(3)
    contact_event_record(phone=offer.volunteer.phone, event=Event.STOP)
    assert offer_accept(offer=offer) == AcceptOutcome.NOT_OFFERED
    need.refresh_from_db()
    assert need.status != Need.Status.ASSIGNED and need.assigned_volunteer is None
