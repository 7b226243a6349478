from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from messaging.models import OutboundMessage
from reactivation.services.campaign_lifecycle import (
    campaign_cancel,
    campaign_create,
    campaign_pause,
    campaign_resume,
    campaign_start,
)
from reactivation.services.campaign_sending import campaign_advance
from reactivation.services.replies import reply_record
from tests.reactivation.conftest import CIRCLE, dormant

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(manager, version):
    people = dormant(12)
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE, target_ready=9), user=manager
    )
    campaign_advance(campaign_id=campaign.pk)
    reply_record(phone=people[0].phone, ready=True)
    return campaign


def later(minutes=31):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


def test_a_paused_campaign_sends_no_wave_until_resumed(running, manager):
    campaign_pause(campaign=running, user=manager)
    with later():
        assert campaign_advance(campaign_id=running.pk) == "not running (paused)"
        assert OutboundMessage.objects.count() == 3
        campaign_resume(campaign=running, user=manager)
        assert campaign_advance(campaign_id=running.pk) == "wave 2: 6 texted"
    assert OutboundMessage.objects.count() == 9


def test_cancel_withdraws_texts_still_in_the_outbox_and_refunds_them(running, manager):
    OutboundMessage.objects.filter(pk=OutboundMessage.objects.order_by("pk").first().pk).update(state="sent")
    campaign = campaign_cancel(campaign=running, user=manager)
    assert campaign.status == "cancelled" and campaign.stop_reason == "Cancelled by cam"
    assert OutboundMessage.objects.filter(state="cancelled").count() == 2
    assert campaign.spent_pence == 4  # only the one that had gone
    with later():
        assert campaign_advance(campaign_id=running.pk) == "not running (cancelled)"


def test_a_cancelled_campaign_cannot_resume(running, manager):
    campaign_cancel(campaign=running, user=manager)
    with pytest.raises(ValidationError, match="cannot be resumed"):
        campaign_resume(campaign=running, user=manager)


def test_another_organisations_coordinator_cannot_pause_it(running, other_coordinator):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        campaign_pause(campaign=running, user=other_coordinator)
