""" "We have enough": the campaign ends, those who said READY and were not deployed are thanked
and stood down exactly once, and nothing more goes to anyone else."""

from datetime import time, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import escape

from messaging.inbound import inbound_receive
from messaging.models import OutboundMessage
from needs.models import Offer
from reactivation.models import Campaign, CampaignRecipient
from reactivation.selectors.campaign_people import campaign_holds, campaign_ready_people
from reactivation.selectors.campaigns import campaign_figures, campaign_progress
from reactivation.services.campaign_lifecycle import (
    campaign_create,
    campaign_enough,
    campaign_pause,
    campaign_start,
)
from reactivation.services.campaign_sending import campaign_advance
from reactivation.services.replies import reply_record
from tests.factories import NeedFactory, OfferFactory
from tests.reactivation.conftest import CIRCLE, TEMPLATES, dormant
from volunteers.models import AuditEvent

pytestmark = pytest.mark.django_db

THANKS = {
    "en": {
        **TEMPLATES["en"],
        "thanks": "{sender}: thank you {name}, we have enough people in {area} now. Reply STOP to opt out",
    },
    "ur": {
        "thanks": "{sender}: شکریہ، اب ہمارے پاس کافی لوگ ہیں Reply STOP to opt out",
    },
}


def started(manager, version, **kwargs):
    campaign = campaign_create(user=manager, playbook=version, area=CIRCLE, **kwargs)
    return campaign_start(campaign=campaign, user=manager)


def texts_to(phone, purpose=None):
    found = OutboundMessage.objects.filter(to=phone)
    return list((found.filter(purpose=purpose) if purpose else found).values_list("body", flat=True))


def deploy(volunteer):
    """The volunteer accepted an offer of a need after saying READY: they are helping."""
    OfferFactory(
        need=NeedFactory(), volunteer=volunteer, status=Offer.Status.ACCEPTED, responded_at=timezone.now()
    )


def test_we_have_enough_thanks_the_ready_who_were_not_deployed_once_and_nobody_else(manager, version):
    version.templates = THANKS
    version.wave_rules = {"first_wave": 4, "max_wave": 10, "wait_minutes": 30, "max_waves": 4}
    version.save()
    ready, ready_urdu, helping, not_now, silent, *later = dormant(10)
    ready_urdu.languages = ["ur"]
    ready_urdu.preferred_language = "ur"
    ready_urdu.save()
    campaign = started(manager, version, target_ready=20)
    campaign_advance(campaign_id=campaign.pk)
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        for person in (ready, ready_urdu, helping):
            reply_record(phone=person.phone, ready=True)
        campaign_advance(campaign_id=campaign.pk)  # wave 2: the other six
        reply_record(phone=not_now.phone, ready=False)
        deploy(helping)
        assert all(texts_to(p.phone, "campaign_call") for p in later)

        campaign = campaign_enough(campaign=campaign, user=manager)

    assert campaign.status == Campaign.Status.COMPLETED and campaign.stood_down_at is not None
    assert campaign.stop_reason.startswith("We have enough")
    thanks = OutboundMessage.objects.filter(purpose="campaign_thanks")
    assert sorted(thanks.values_list("to", flat=True)) == sorted([ready.phone, ready_urdu.phone])
    assert texts_to(ready.phone, "campaign_thanks") == [
        f"Brum Aid: thank you {ready.name.split()[0]}, we have enough people in Birmingham now. Reply STOP to opt out"
    ]
    assert texts_to(ready_urdu.phone, "campaign_thanks")[0].startswith("Brum Aid: شکریہ")
    for person in (helping, not_now, silent, *later):
        assert texts_to(person.phone, "campaign_thanks") == []  # nothing more to the rest

    # Exactly once: a second "we have enough" is refused, and a re-run of the stand-down sends nothing.
    with pytest.raises(ValidationError):
        campaign_enough(campaign=campaign, user=manager)
    assert campaign_advance(campaign_id=campaign.pk) == "not running (completed)"
    assert thanks.count() == 2
    assert AuditEvent.objects.filter(action="campaign.stand_down_sent", actor=manager).count() == 1


def test_waves_not_yet_sent_are_cancelled_and_held_texts_withdrawn(manager, version, settings):
    version.wave_rules = {"first_wave": 3, "max_wave": 10, "wait_minutes": 30, "max_waves": 4}
    version.save()
    people = dormant(8)
    settings.SMS_QUIET_HOURS = (time(21), time(8))
    with time_machine.travel("2025-03-03 20:50 +00:00", tick=False):
        campaign = started(manager, version, target_ready=5)
        campaign_advance(campaign_id=campaign.pk)  # wave 1 before quiet hours: sent at once
    first = list(OutboundMessage.objects.values_list("to", flat=True))
    assert len(first) == 3
    reply_record(phone=people[0].phone, ready=True)
    with time_machine.travel("2025-03-03 21:30 +00:00", tick=False):
        # Quiet hours: advancing waits, so wave 2 is held back...
        assert campaign_advance(campaign_id=campaign.pk) == "waiting: quiet hours"
        # ...and a text queued in quiet hours waits in the outbox until 08:00.
        CampaignRecipient.objects.filter(campaign=campaign, volunteer=people[3]).update(wave=1)
        Campaign.objects.filter(pk=campaign.pk).update(current_wave=1)
        campaign.refresh_from_db()
        from reactivation.services.campaign_sending import recipient_send

        row = CampaignRecipient.objects.get(campaign=campaign, volunteer=people[3])
        assert recipient_send(campaign_id=campaign.pk, recipient_id=row.pk) == "sent"
        held = OutboundMessage.objects.get(to=people[3].phone)
        assert held.state == OutboundMessage.State.QUEUED and held.send_after > timezone.now()
        assert any("Quiet hours" in h["why"] for h in campaign_holds(campaign=campaign))
        spent_before = Campaign.objects.get(pk=campaign.pk).spent_pence

        campaign_enough(campaign=campaign, user=manager)

    held.refresh_from_db()
    assert held.state == OutboundMessage.State.CANCELLED  # withdrawn through the outbox
    campaign.refresh_from_db()
    assert campaign.spent_pence < spent_before  # its cost returned
    states = dict(CampaignRecipient.objects.filter(campaign=campaign).values_list("volunteer_id", "state"))
    assert states[people[3].pk] == "skipped"
    assert [states[p.pk] for p in people[4:]] == ["skipped"] * 4  # never asked
    assert texts_to(people[0].phone, "campaign_thanks")  # the one READY is stood down
    assert (
        OutboundMessage.objects.filter(purpose="campaign_call")
        .exclude(to__in=first)
        .exclude(state=OutboundMessage.State.CANCELLED)
        .count()
        == 0
    )


def test_a_paused_campaign_can_be_stood_down_and_its_held_texts_never_go(manager, version):
    dormant(5)
    campaign = started(manager, version, target_ready=5)
    campaign_advance(campaign_id=campaign.pk)
    campaign_pause(campaign=campaign, user=manager)
    campaign = campaign_enough(campaign=campaign, user=manager)
    assert campaign.status == Campaign.Status.COMPLETED
    assert not OutboundMessage.objects.filter(state=OutboundMessage.State.QUEUED).exists()


def test_a_viewer_cannot_stand_a_campaign_down(manager, version, viewer):
    dormant(3)
    campaign = started(manager, version)
    with pytest.raises(PermissionDenied):
        campaign_enough(campaign=campaign, user=viewer)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.RUNNING


def test_a_stop_during_the_campaign_is_counted_as_opted_out_not_no_answer(
    manager, version, django_capture_on_commit_callbacks
):
    answers, stopper, silent = dormant(3)
    campaign = started(manager, version, target_ready=3)
    campaign_advance(campaign_id=campaign.pk)
    OutboundMessage.objects.update(state=OutboundMessage.State.SENT)  # the worker sent them
    reply_record(phone=answers.phone, ready=True)
    with django_capture_on_commit_callbacks(execute=True):
        inbound_receive(message_sid="SM" + "5" * 32, from_number=stopper.phone, body="STOP")

    # Counted at once on the page, before the campaign's next step writes it on the row.
    progress = campaign_progress(campaign=campaign)
    assert progress["totals"]["opted_out"] == 1
    assert progress["totals"]["awaiting"] == 1  # the silent one only
    assert any("Opted out during the campaign" in h["why"] for h in campaign_holds(campaign=campaign))

    campaign = campaign_enough(campaign=campaign, user=manager)
    rows = dict(CampaignRecipient.objects.filter(campaign=campaign).values_list("volunteer_id", "state"))
    assert rows == {answers.pk: "ready", stopper.pk: "opted_out", silent.pk: "no_answer"}
    figures = campaign_figures(campaign=campaign)
    assert (figures["opted_out"], figures["no_answer"], figures["ready"]) == (1, 1, 1)
    assert texts_to(stopper.phone, "campaign_thanks") == []


def test_the_running_page_names_who_said_ready_only_to_those_allowed(manager, version, viewer, client):
    first, second, _silent = dormant(3)
    campaign = started(manager, version, target_ready=3)
    campaign_advance(campaign_id=campaign.pk)
    reply_record(phone=first.phone, ready=True)
    reply_record(phone=second.phone, ready=True)

    assert [p.name for p in campaign_ready_people(campaign=campaign, user=manager)] == [
        first.name,
        second.name,
    ]
    assert campaign_ready_people(campaign=campaign, user=viewer) == []

    client.force_login(manager)
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    # the page shows names HTML-escaped (Faker gives names such as "Aimee O'Sullivan")
    assert escape(first.name) in page and escape(second.name) in page
    assert "Who said READY" in page and "What is held back, and why" in page
    assert "Dry run: what it would do" not in page  # it is running, not a dry run any more
    assert AuditEvent.objects.filter(action="campaign.ready_people.read", actor=manager).exists()

    client.force_login(viewer)
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert escape(first.name) not in page and "2 people said READY" in page


def test_a_ready_after_the_stand_down_is_answered_with_the_stand_down_and_no_second_text(manager, version):
    late, _other = dormant(2)
    campaign = started(manager, version, target_ready=2)
    campaign_advance(campaign_id=campaign.pk)
    OutboundMessage.objects.update(state=OutboundMessage.State.SENT)
    campaign_enough(campaign=campaign, user=manager)
    reply = reply_record(phone=late.phone, ready=True)
    assert "has enough people for now, so you are not needed this time" in reply
    assert texts_to(late.phone, "campaign_thanks") == []
