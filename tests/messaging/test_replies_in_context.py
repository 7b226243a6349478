"""Replies as people really send them, read with what is open for the sender. Every row goes
through the signed Twilio webhook and the real handlers; each asserts what a person would see:
the reply text, the count on the campaign (or the offer, or the readiness check), the inbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from messaging.inbound import NOT_UNDERSTOOD_TEXT
from messaging.models import InboxEntry, OutboundMessage
from needs.models import Need, Offer
from reactivation.models import Campaign, CampaignRecipient, ReadinessCheck
from reactivation.services.readiness import readiness_cycle
from tests.factories import (
    CampaignFactory,
    CampaignRecipientFactory,
    MembershipFactory,
    MutualAidGroupFactory,
    NeedFactory,
    OfferFactory,
    VolunteerFactory,
)
from tests.messaging.conftest import reply_to
from volunteers.models import Membership, MutualAidGroup

pytestmark = pytest.mark.django_db

VAL = "+447700900123"
CALL_LABEL = "campaign call of the campaign Heatwave check-in"

READY = "Thank you! Brum Aid has you down as ready."
NOT_NOW = "Thank you. No problem: you stay on Brum Aid's quiet list"
RECONSENT_READY = "Thank you, you are on Brum Aid's list again and down as ready to help."
RECONSENT_NOT_NOW = "Thank you. Brum Aid will not text you about this again."
CHECK_READY = "Thank you! Selly Park Street Champions stays on the register, ready if needed."
CHECK_NOT_NOW = "Thank you. Selly Park Street Champions stays on the register; we will ask again"
NO_OFFERS = "Rekindle: you have no open offers right now."
NOTHING_WAITING = "Thank you. There is nothing waiting for an answer from you just now."


@pytest.fixture
def val(brum_aid):
    """Val, a volunteer in Brum Aid's Sparkbrook Helpers."""
    person = VolunteerFactory(name="Val Volunteer", phone=VAL)
    MembershipFactory(
        volunteer=person, group=MutualAidGroupFactory(name="Sparkbrook Helpers", organisation=brum_aid)
    )
    return person


def open_for(val, brum_aid, situation: str) -> dict:
    """Put ``situation`` ("call", "reconsent", "readiness", "offer", "offer+call", "nothing") in
    front of Val; return what was asked."""
    asked: dict = {}
    if "call" in situation or situation == "reconsent":
        campaign = CampaignFactory(
            organisation=brum_aid, name="Heatwave check-in", status=Campaign.Status.RUNNING
        )
        kind = CampaignRecipient.Kind.RECONSENT if situation == "reconsent" else CampaignRecipient.Kind.CALL
        asked["row"] = CampaignRecipientFactory(
            campaign=campaign,
            volunteer=val,
            kind=kind,
            state=CampaignRecipient.State.MESSAGED,
            messaged_at=timezone.now() - timedelta(minutes=30),
        )
    if "offer" in situation:
        need = NeedFactory(organisation=brum_aid, status=Need.Status.OFFERED)
        asked["offer"] = OfferFactory(
            need=need, volunteer=val, expires_at=timezone.now() + timedelta(hours=1)
        )
    if situation == "readiness":
        group = MutualAidGroupFactory(
            name="Selly Park Street Champions", organisation=brum_aid, status=MutualAidGroup.Status.DORMANT
        )
        MembershipFactory(volunteer=val, group=group, role=Membership.Role.ORGANISER)
        asked["check"] = ReadinessCheck.objects.create(
            group=group, contact=val, sent_at=timezone.now() - timedelta(days=1)
        )
    return asked


# (what Val texts, what is open for Val, what Val and the coordinators see)
REPLIES = [
    # A campaign's call is open, and no offer: yes in any words is READY ...
    ("yes", "call", "ready"),
    ("Yes!", "call", "ready"),
    ("yes I can help", "call", "ready"),
    ("count me in", "call", "ready"),
    ("Count me in!", "call", "ready"),
    ("I'm free", "call", "ready"),
    ("im free all day", "call", "ready"),
    ("I am free this afternoon", "call", "ready"),
    ("ok", "call", "ready"),
    ("Okay no problem", "call", "ready"),
    ("sure", "call", "ready"),
    ("Sure thing", "call", "ready"),
    ("yeah go on then", "call", "ready"),
    ("yep", "call", "ready"),
    ("Happy to help", "call", "ready"),
    ("no problem, happy to", "call", "ready"),
    ("of course", "call", "ready"),
    ("absolutely", "call", "ready"),
    ("I can help", "call", "ready"),
    ("Ready", "call", "ready"),
    ("READY x", "call", "ready"),
    ("I'm in", "call", "ready"),
    ("sign me up", "call", "ready"),
    ("Definitely, I'm available", "call", "ready"),
    ("Tak", "call", "ready"),
    ("haan ji", "call", "ready"),
    # ... and no in any words is NOT NOW.
    ("no sorry", "call", "not_now"),
    ("No, sorry", "call", "not_now"),
    ("not this time", "call", "not_now"),
    ("Not this time, sorry", "call", "not_now"),
    ("not now", "call", "not_now"),
    ("Not now sorry", "call", "not_now"),
    ("nope", "call", "not_now"),
    ("no", "call", "not_now"),
    ("Sorry, can't", "call", "not_now"),
    ("I can't this week", "call", "not_now"),
    ("cannot, at work", "call", "not_now"),
    ("I'm busy", "call", "not_now"),
    ("busy today sorry", "call", "not_now"),
    ("not available", "call", "not_now"),
    ("I'm away", "call", "not_now"),
    ("maybe next time", "call", "not_now"),
    ("no thanks", "call", "not_now"),
    ("nie", "call", "not_now"),
    # Neither, both, a question or someone in trouble: a person reads it, with what was open.
    ("yes but not today", "call", "person"),
    ("maybe", "call", "person"),
    ("not sure", "call", "person"),
    ("who is this?", "call", "person"),
    ("what do you need?", "call", "person"),
    ("Can I bring my son?", "call", "person"),
    ("I'll be there", "call", "person"),
    ("\N{THUMBS UP SIGN}", "call", "person"),
    ("help my dad has collapsed", "call", "person"),
    ("yes, but my mum has fallen", "call", "person"),
    ("yes, what time?", "call", "ready+person"),
    ("ok but stop texting my old number", "call", "ready+person"),
    # A re-consent request: READY once renews consent and is the answer to the campaign.
    ("yes please", "reconsent", "reconsent_ready"),
    ("count me in", "reconsent", "reconsent_ready"),
    ("READY", "reconsent", "reconsent_ready"),
    ("no thanks", "reconsent", "reconsent_not_now"),
    ("not now", "reconsent", "reconsent_not_now"),
    ("keep me on the list", "reconsent", "person"),
    # A readiness check.
    ("yes", "readiness", "check_ready"),
    ("Yes still here", "readiness", "check_ready"),
    ("count me in", "readiness", "check_ready"),
    ("not this time", "readiness", "check_not_now"),
    ("no sorry", "readiness", "check_not_now"),
    # An offer: yes and no are about the offer.
    ("yes", "offer", "accepted"),
    ("yes I can help", "offer", "accepted"),
    ("I'm free", "offer", "accepted"),
    ("no problem", "offer", "accepted"),
    ("no sorry", "offer", "declined"),
    ("not this time", "offer", "declined"),
    # An offer and a call: yes and no go to the offer; READY and NOT NOW to the call.
    ("yes", "offer+call", "accepted"),
    ("count me in", "offer+call", "accepted"),
    ("no sorry", "offer+call", "declined"),
    ("READY", "offer+call", "ready"),
    ("NOT NOW", "offer+call", "not_now"),
    # Nothing open: the commands say so; other words go to a person.
    ("yes", "nothing", "no_offers"),
    ("READY", "nothing", "nothing_waiting"),
    ("count me in", "nothing", "person"),
    ("I'm free", "nothing", "person"),
    ("not this time", "nothing", "person"),
    ("help my dad has collapsed", "nothing", "person"),
]

EXPECTED_REPLY = {
    "ready": READY,
    "ready+person": READY,
    "not_now": NOT_NOW,
    "reconsent_ready": RECONSENT_READY,
    "reconsent_not_now": RECONSENT_NOT_NOW,
    "check_ready": CHECK_READY,
    "check_not_now": CHECK_NOT_NOW,
    "no_offers": NO_OFFERS,
    "nothing_waiting": NOTHING_WAITING,
    "person": NOT_UNDERSTOOD_TEXT,
}
ROW_STATE = {
    "ready": "ready",
    "ready+person": "ready",
    "reconsent_ready": "ready",
    "not_now": "not_now",
    "reconsent_not_now": "not_now",
}


def test_the_table_is_as_long_as_the_issue_asks():
    assert len(REPLIES) >= 60
    assert len(set(REPLIES)) == len(REPLIES)


@pytest.mark.parametrize(("text", "situation", "outcome"), REPLIES)
def test_a_reply_in_context(send_text, val, brum_aid, text, situation, outcome):
    asked = open_for(val, brum_aid, situation)
    message = send_text(text, phone=VAL)
    reply = reply_to(message)

    offer = asked.get("offer")
    if outcome in ("accepted", "declined"):
        ref = offer.need.ref
        expected = f"{ref} is yours" if outcome == "accepted" else f"we will ask someone else for {ref}"
        assert expected in reply
    else:
        assert reply.startswith(EXPECTED_REPLY[outcome]), reply

    if offer is not None:
        offer.refresh_from_db()
        assert offer.status == {"accepted": "accepted", "declined": "declined"}.get(
            outcome, Offer.Status.OFFERED
        )
    if "row" in asked:
        row = asked["row"]
        row.refresh_from_db()
        assert row.state == ROW_STATE.get(outcome, CampaignRecipient.State.MESSAGED)
        counted = CampaignRecipient.objects.filter(campaign=row.campaign, state="ready").count()
        assert counted == (1 if ROW_STATE.get(outcome) == "ready" else 0)
    if "check" in asked:
        check = asked["check"]
        check.refresh_from_db()
        assert check.answer == {"check_ready": "ready", "check_not_now": "not_now"}.get(outcome, "pending")

    entries = list(InboxEntry.objects.filter(message=message))
    if outcome in ("person", "ready+person"):
        (entry,) = entries
        assert entry.organisation == brum_aid
        assert "A volunteer in your group Sparkbrook Helpers." in entry.reasons
        if situation == "call":
            assert entry.context == [CALL_LABEL]
        elif situation == "nothing":
            assert entry.context == []
    else:
        assert entries == [], f"{text!r} should not need a person"


def test_an_organiser_who_answers_the_campaign_has_answered_the_readiness_check_too(send_text, brum_aid):
    """Before: "not now sorry" to a campaign left the readiness check open; it was then counted as
    the organiser's second miss, and the deputy was told the organiser could not be reached."""
    organiser, deputy = VolunteerFactory(phone=VAL), VolunteerFactory()
    group = MutualAidGroupFactory(
        name="Handsworth Helpers",
        organisation=brum_aid,
        status=MutualAidGroup.Status.DORMANT,
        missed_checks=1,
    )
    MembershipFactory(volunteer=organiser, group=group, role=Membership.Role.ORGANISER)
    MembershipFactory(volunteer=deputy, group=group, role=Membership.Role.DEPUTY)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert readiness_cycle()["sent"] == 1
    campaign = CampaignFactory(organisation=brum_aid, status=Campaign.Status.RUNNING)
    CampaignRecipientFactory(
        campaign=campaign,
        volunteer=organiser,
        group=group,
        state=CampaignRecipient.State.MESSAGED,
        messaged_at=start + timedelta(days=1),
    )
    with time_machine.travel(start + timedelta(days=2), tick=False):
        reply = reply_to(send_text("not now sorry", phone=VAL))
    assert reply.startswith("Thank you. No problem: you stay on Brum Aid's quiet list")
    assert ReadinessCheck.objects.get(kind="check").answer == "not_now"
    group.refresh_from_db()
    assert group.missed_checks == 0 and group.last_verified_at == start + timedelta(days=2)

    with time_machine.travel(start + timedelta(days=20), tick=False):
        assert readiness_cycle()["handovers"] == 0
    assert not OutboundMessage.objects.filter(to=deputy.phone).exists()
    assert "could not reach the organiser" not in " ".join(
        OutboundMessage.objects.values_list("body", flat=True)
    )
