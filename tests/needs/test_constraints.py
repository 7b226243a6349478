"""The database itself, not only Python, keeps the rules that matter most."""

import pytest
from django.db import IntegrityError, transaction

from needs.models import REF_ALPHABET, Need, Offer
from tests.factories import NeedFactory, OfferFactory, VolunteerFactory, offer_path
from volunteers.links import token_hash
from volunteers.models import VolunteerLink

pytestmark = pytest.mark.django_db


def test_a_need_can_have_only_one_accepted_offer_even_bypassing_python():
    need = NeedFactory()
    first, second = OfferFactory(need=need), OfferFactory(need=need)
    Offer.objects.filter(pk=first.pk).update(status=Offer.Status.ACCEPTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        # A raw UPDATE, as a racing worker would issue it: no model code runs.
        Offer.objects.filter(pk=second.pk).update(status=Offer.Status.ACCEPTED)
    assert list(need.offers.filter(status="accepted")) == [first]


def test_two_needs_may_each_have_an_accepted_offer():
    for need in (NeedFactory(), NeedFactory()):
        OfferFactory(need=need, status=Offer.Status.ACCEPTED)
    assert Offer.objects.filter(status="accepted").count() == 2


def test_a_volunteer_is_offered_a_need_only_once():
    offer = OfferFactory()
    with pytest.raises(IntegrityError):
        OfferFactory(need=offer.need, volunteer=offer.volunteer)


def test_ref_is_unique_among_needs_not_closed_and_free_again_once_closed():
    NeedFactory(ref="7KQ2", status=Need.Status.DONE)
    open_need = NeedFactory(ref="7KQ2")  # allowed: the other one is closed
    with pytest.raises(IntegrityError), transaction.atomic():
        NeedFactory(ref="7KQ2")
    assert open_need.ref == "7KQ2"


def test_new_refs_use_the_unambiguous_alphabet():
    need = NeedFactory()
    assert len(need.ref) == 4 and set(need.ref) <= set(REF_ALPHABET)


def test_a_window_must_end_after_it_starts():
    from django.utils import timezone

    now = timezone.now()
    with pytest.raises(IntegrityError):
        NeedFactory(window_start=now, window_end=now)


def test_offer_tokens_are_unique_unguessable_and_kept_only_as_a_hash():
    offers = [OfferFactory(volunteer=VolunteerFactory()) for _ in range(3)]
    tokens = {offer_path(o).split("/")[2] for o in offers}
    assert len(tokens) == 3 and all(len(t) >= 40 for t in tokens)
    stored = set(VolunteerLink.objects.values_list("token_hash", flat=True))
    assert not tokens & stored and {token_hash(t) for t in tokens} == stored
