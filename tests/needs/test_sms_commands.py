"""YES / NO / DONE texts, as the messaging webhook hands them to the needs app."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import InboundMessage
from messaging.registry import InboundContext, SmsCommand, handler_for
from needs.models import Need, Offer
from tests.factories import NeedFactory, OfferFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def text(volunteer, name, argument=""):
    message = InboundMessage.objects.create(
        message_sid=f"SM{timezone.now().timestamp()}{name}", from_number=volunteer.phone
    )
    ctx = InboundContext(
        message, volunteer.phone, volunteer, SmsCommand(name, argument, f"{name} {argument}")
    )
    return handler_for(name)(ctx)


def open_offer(volunteer, **need_kwargs):
    need = NeedFactory(status=Need.Status.OFFERED, **need_kwargs)
    return OfferFactory(need=need, volunteer=volunteer, expires_at=timezone.now() + timedelta(hours=1))


def test_yes_without_a_ref_accepts_the_only_open_offer():
    val = VolunteerFactory()
    offer = open_offer(val)
    reply = text(val, "YES")
    assert f"{offer.need.ref} is yours" in reply
    assert Offer.objects.get(pk=offer.pk).status == "accepted"


def test_yes_without_a_ref_asks_which_one_when_two_are_open():
    val = VolunteerFactory()
    a, b = open_offer(val), open_offer(val)
    reply = text(val, "YES")
    assert f"YES {a.need.ref}" in reply and f"YES {b.need.ref}" in reply
    assert not Offer.objects.filter(status="accepted").exists()


def test_a_late_yes_is_told_it_is_taken():
    val, other = VolunteerFactory(), VolunteerFactory()
    offer = open_offer(val)
    rival = OfferFactory(need=offer.need, volunteer=other, expires_at=timezone.now() + timedelta(hours=1))
    text(other, "YES", rival.need.ref)
    assert "already been taken" in text(val, "YES", offer.need.ref)


def test_no_declines_and_an_unknown_ref_is_explained():
    val = VolunteerFactory()
    offer = open_offer(val)
    assert "someone else" in text(val, "NO", offer.need.ref)
    assert Offer.objects.get(pk=offer.pk).status == "declined"
    assert "no offer ZZZZ" in text(val, "NO", "ZZZZ")


def test_done_marks_the_need_done():
    val = VolunteerFactory()
    offer = open_offer(val)
    text(val, "YES", offer.need.ref)
    assert "marked done" in text(val, "DONE", offer.need.ref)
    need = Need.objects.get(pk=offer.need_id)
    assert need.status == Need.Status.DONE and need.offers.get(status="accepted").completed_at is not None
    assert "already marked done" in text(val, "DONE", offer.need.ref)
