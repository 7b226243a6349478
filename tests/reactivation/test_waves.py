from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from messaging.models import OutboundMessage
from reactivation.models import CampaignRecipient
from reactivation.selectors.campaigns import campaign_progress
from reactivation.services.campaign_lifecycle import campaign_create, campaign_start
from reactivation.services.campaign_sending import campaign_advance
from reactivation.services.replies import reply_record
from reactivation.waves import next_wave, wave_rules_read
from tests.reactivation.conftest import CIRCLE, dormant, dormant_group

pytestmark = pytest.mark.django_db


def started(manager, version, **kwargs):
    return campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE, **kwargs), user=manager
    )


def texted(campaign):
    return list(
        CampaignRecipient.objects.filter(campaign=campaign, state__in=["messaged", "ready", "not_now"])
        .order_by("rank")
        .values_list("volunteer__name", flat=True)
    )


def test_waves_start_small_grow_while_ready_comes_and_stop_at_the_target(manager, version):
    people = dormant(30)
    organiser = people[-1]  # the farthest away, but the organiser goes first
    dormant_group(organiser=organiser)
    campaign = started(manager, version, target_ready=4)
    start = timezone.now()

    assert campaign_advance(campaign_id=campaign.pk) == "wave 1: 3 texted"
    assert texted(campaign)[:2] == [organiser.name, people[0].name]
    assert campaign_advance(campaign_id=campaign.pk) == "waiting for replies"  # a second run sends nothing
    assert OutboundMessage.objects.count() == 3

    reply_record(phone=organiser.phone, ready=True)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        # 1 ready of 3 asked: 3 more needed at that rate is 9, but growth caps the wave at 3 x 2.
        assert campaign_advance(campaign_id=campaign.pk) == "wave 2: 6 texted"
        for person in people[1:4]:
            reply_record(phone=person.phone, ready=True)
        assert campaign_advance(campaign_id=campaign.pk) == "completed: target reached"
    campaign.refresh_from_db()
    assert campaign.status == "completed" and campaign.stop_reason == "Target reached: 4 ready of 4 needed"
    assert OutboundMessage.objects.count() == 9  # nobody beyond wave 2 was texted
    progress = campaign_progress(campaign=campaign)
    assert progress["totals"]["ready"] == 4 and progress["totals"]["no_answer"] == 5
    assert [w["wave"] for w in progress["by_wave"]] == [1, 2]


def test_a_wave_with_no_ready_stops_the_campaign(manager, version):
    dormant(10)
    campaign = started(manager, version, target_ready=5)
    campaign_advance(campaign_id=campaign.pk)
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        result = campaign_advance(campaign_id=campaign.pk)
    assert result == "completed: wave 1 brought no READY replies: check the message and targeting"
    assert OutboundMessage.objects.count() == 3


def test_nobody_is_texted_twice_even_when_the_campaign_is_restarted_after_a_crash(manager, version):
    people = dormant(5)
    campaign = started(manager, version, target_ready=5)
    campaign_advance(campaign_id=campaign.pk)
    # A crash after a wave was claimed but before its rows were texted: put one row back to pending.
    row = CampaignRecipient.objects.filter(campaign=campaign, wave=1).order_by("rank").first()
    CampaignRecipient.objects.filter(pk=row.pk).update(state="pending")
    campaign_advance(campaign_id=campaign.pk)
    campaign_advance(campaign_id=campaign.pk)
    assert OutboundMessage.objects.count() == 3
    assert (
        OutboundMessage.objects.filter(dedupe_key=f"campaign:{campaign.pk}:{row.volunteer_id}").count() == 1
    )
    assert len({m.to for m in OutboundMessage.objects.all()}) == 3
    assert people  # (all dormant, all reachable)


def test_the_playbooks_wave_limit_ends_the_campaign():
    rules = wave_rules_read({"max_waves": 2})
    decision = next_wave(
        rules=rules,
        target=10,
        waves_sent=2,
        last_wave_size=5,
        last_wave_ready=1,
        ready_total=2,
        remaining=50,
        reply_rate=0.2,
    )
    assert decision.finish and "limit of 2 waves" in decision.reason


def test_first_wave_comes_from_the_areas_reply_rate():
    rules = wave_rules_read({"first_wave": 500})
    first = next_wave(
        rules=rules,
        target=10,
        waves_sent=0,
        last_wave_size=0,
        last_wave_ready=0,
        ready_total=0,
        remaining=900,
        reply_rate=0.5,
    )
    assert first.send == 20  # 10 ready at a 50% reply rate
