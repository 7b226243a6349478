import pytest

from messaging.models import OutboundMessage
from reactivation.services.campaign_lifecycle import campaign_create, campaign_start
from reactivation.services.campaign_sending import campaign_advance
from tests.reactivation.conftest import CIRCLE, dormant

pytestmark = pytest.mark.django_db


def test_the_spend_cap_is_never_exceeded(manager, version):
    dormant(6)
    # Each text is one segment at 4p; a 10p cap pays for two, and the third would pass it.
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE, spend_cap_pence=10),
        user=manager,
    )
    assert campaign_advance(campaign_id=campaign.pk) == "wave 1: stopped by the spend cap"
    campaign.refresh_from_db()
    assert OutboundMessage.objects.count() == 2
    assert campaign.spent_pence == 8 <= campaign.spend_cap_pence
    assert campaign.status == "completed"
    assert campaign.stop_reason == "Spend cap reached: the next text would have passed it"
    assert campaign_advance(campaign_id=campaign.pk) == "not running (completed)"
    assert OutboundMessage.objects.count() == 2


def test_a_longer_text_costs_more_segments(manager, version):
    version.templates = {
        "en": {"volunteer_call": "{sender}: " + "Can you help this week? " * 8 + "Reply STOP to opt out"}
    }
    version.save()
    dormant(3)
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE, spend_cap_pence=20),
        user=manager,
    )
    campaign_advance(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.dry_run_report["previews"]["volunteer_call"]["segments"] == 2
    assert (OutboundMessage.objects.count(), campaign.spent_pence) == (2, 16)
