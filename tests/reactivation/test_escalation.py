"""Escalation: when the playbook allows it, waves widen a circle step by step up to the playbook's
limit, never beyond the organisation's area, and the dry run says so in sentences."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from reactivation.models import CampaignRecipient
from reactivation.services.campaign_lifecycle import campaign_create, campaign_dry_run, campaign_start
from reactivation.services.campaign_sending import campaign_advance
from reactivation.waves import reach_next, wave_rules_problems, wave_rules_read
from tests.factories import local_authority
from tests.reactivation.conftest import SPARKBROOK, dormant

pytestmark = pytest.mark.django_db

SMALL_CIRCLE = {"latitude": SPARKBROOK[0], "longitude": SPARKBROOK[1], "radius_km": 1}
WIDENING = {
    "first_wave": 2,
    "growth": 2,
    "max_wave": 10,
    "wait_minutes": 30,
    "max_waves": 6,
    "widen_km": 1,
    "widen_to_km": 2.5,
    "widen_below_ready": 5,
}


def texted_km(campaign):
    return sorted(
        round(d, 1)
        for d in CampaignRecipient.objects.filter(campaign=campaign)
        .exclude(state__in=["pending", "skipped"])
        .values_list("distance_km", flat=True)
    )


def test_the_dry_run_says_how_the_waves_widen(manager, version):
    version.wave_rules = WIDENING
    version.save()
    dormant(2)
    report = campaign_dry_run(user=manager, playbook=version, area=SMALL_CIRCLE, target_ready=20)
    assert report["widening"] == [
        "Wave 2 widens to 2 km if fewer than 5 say READY.",
        "Wave 3 widens to 2.5 km if fewer than 5 say READY.",
        "Never beyond the council areas the organisation covers: people further out are left out.",
    ]


def test_without_the_rule_nothing_widens_and_the_dry_run_says_nothing(manager, version):
    dormant(2)
    report = campaign_dry_run(user=manager, playbook=version, area=SMALL_CIRCLE)
    assert report["widening"] == []


def test_waves_widen_step_by_step_up_to_the_playbooks_limit_and_no_further(manager, version):
    version.wave_rules = WIDENING
    version.save()
    # One person every 0.49 km going north: 0 to 0.98 inside 1 km, then 1.47, 1.96, 2.45, 2.94, 3.43.
    dormant(8, step_km=0.49)
    # One in the next ring who lives in Sandwell, which Brum Aid does not cover.
    outside = dormant(
        1, at=(SPARKBROOK[0], SPARKBROOK[1] + 1.2 / 68), local_authority=local_authority("Sandwell")
    )[0]
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=SMALL_CIRCLE, target_ready=20),
        user=manager,
    )
    assert campaign.reach_km == 1
    start = timezone.now()
    assert campaign_advance(campaign_id=campaign.pk) == "wave 1: 2 texted"
    for step in range(1, 6):
        with time_machine.travel(start + timedelta(minutes=31 * step), tick=False):
            campaign_advance(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.reach_km == 2.5  # the playbook's limit, never more
    assert max(texted_km(campaign)) <= 2.5
    assert len(texted_km(campaign)) == 6  # 0 to 2.45 km; 2.94 and 3.43 km never texted
    row = CampaignRecipient.objects.get(campaign=campaign, volunteer=outside)
    assert row.state == "skipped" and "does not cover" in row.reason


def test_widening_stops_once_enough_say_ready():
    rules = wave_rules_read(WIDENING)
    assert reach_next(rules=rules, reach_km=1, ready_total=4, target=20, limit_km=20) == 2
    assert reach_next(rules=rules, reach_km=1, ready_total=5, target=20, limit_km=20) is None
    assert reach_next(rules=rules, reach_km=2.5, ready_total=0, target=20, limit_km=20) is None
    assert reach_next(rules=rules, reach_km=1, ready_total=0, target=20, limit_km=1.5) == 1.5
    assert reach_next(rules=wave_rules_read({}), reach_km=1, ready_total=0, target=20, limit_km=20) is None


def test_the_widening_rules_are_checked():
    assert wave_rules_problems({"widen_km": 1}) == [
        "wave_rules.widen_km and widen_to_km go together: how much each wave widens, and up to where"
    ]
    assert wave_rules_problems({"widen_km": 1, "widen_to_km": 0})[0].startswith(
        "wave_rules.widen_to_km must be"
    )
    assert wave_rules_problems(WIDENING) == []
