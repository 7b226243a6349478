"""The campaign page says what is really happening: a start in quiet hours says the texts wait
until they end (not "going out"), and the dry run says how the waves widen."""

from datetime import time

import pytest
import time_machine

from reactivation.models import Campaign
from reactivation.services.campaign_lifecycle import campaign_create
from tests.reactivation.conftest import dormant

pytestmark = pytest.mark.django_db

CIRCLE_2KM = {"latitude": 52.4607, "longitude": -1.8730, "radius_km": 2}


def test_a_start_in_quiet_hours_says_the_texts_wait_and_not_that_they_go(client, manager, version, settings):
    settings.SMS_QUIET_HOURS = (time(21), time(8))
    dormant(3)
    with time_machine.travel("2025-03-03 22:30 +00:00", tick=False):
        campaign = campaign_create(user=manager, playbook=version, area=CIRCLE_2KM)
        client.force_login(manager)
        page = client.post(f"/campaigns/{campaign.pk}/start/", follow=True).content.decode()
    assert "the first wave&#x27;s texts are held until 08:00" in page
    assert "The first wave is going out" not in page
    assert Campaign.objects.get().status == Campaign.Status.RUNNING


def test_the_dry_run_page_says_how_the_waves_widen(client, manager, version):
    version.wave_rules = {**version.wave_rules, "widen_km": 2, "widen_to_km": 8, "widen_below_ready": 20}
    version.save()
    dormant(3)
    campaign = campaign_create(user=manager, playbook=version, area=CIRCLE_2KM, target_ready=30)
    client.force_login(manager)
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "Wave 2 widens to 4 km if fewer than 20 say READY." in page
    assert "Wave 4 widens to 8 km if fewer than 20 say READY." in page
