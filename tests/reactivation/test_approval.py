import pytest
from django.core.exceptions import PermissionDenied

from messaging.models import OutboundMessage
from reactivation.services.campaign_lifecycle import campaign_approve, campaign_create, campaign_start
from reactivation.services.campaign_sending import campaign_advance
from tests.reactivation.conftest import CIRCLE, dormant
from volunteers.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_campaign(manager, version, settings):
    settings.REACTIVATION_APPROVAL_RECIPIENTS = 4
    dormant(5)
    return campaign_create(user=manager, playbook=version, area=CIRCLE)


def test_a_campaign_above_the_size_threshold_waits_for_a_second_person(big_campaign, manager):
    campaign = campaign_start(campaign=big_campaign, user=manager)
    assert campaign.status == "awaiting_approval"
    assert "it would text 5 people (more than 4)" in campaign.dry_run_report["approval_reasons"]
    assert campaign_advance(campaign_id=campaign.pk).startswith("not running")
    assert not OutboundMessage.objects.exists()


def test_the_same_person_cannot_approve_their_own_campaign(big_campaign, manager):
    campaign_start(campaign=big_campaign, user=manager)
    with pytest.raises(PermissionDenied, match="cannot approve your own"):
        campaign_approve(campaign=big_campaign, user=manager)


def test_a_viewer_cannot_approve(big_campaign, manager, viewer):
    campaign_start(campaign=big_campaign, user=manager)
    with pytest.raises(PermissionDenied):
        campaign_approve(campaign=big_campaign, user=viewer)


def test_a_second_manager_approves_and_it_starts_with_an_audit_line(big_campaign, manager, second_manager):
    campaign_start(campaign=big_campaign, user=manager)
    campaign = campaign_approve(campaign=big_campaign, user=second_manager)
    assert campaign.status == "running" and campaign.approved_by == second_manager
    start = AuditEvent.objects.get(action="campaign.start")
    assert start.target_id == str(campaign.pk) and start.detail["approved_by"] == "sam"
    assert start.detail["contacts"] == 5


def test_above_the_cost_threshold_needs_approval_too(manager, version, settings):
    settings.REACTIVATION_APPROVAL_COST_PENCE = 5
    dormant(2)  # 2 texts x 4p = 8p
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE), user=manager
    )
    assert campaign.status == "awaiting_approval"
    assert "it could cost £0.08 (more than £0.05)" in campaign.dry_run_report["approval_reasons"]


def test_a_small_campaign_starts_at_once_and_is_audited(manager, version):
    dormant(2)
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE), user=manager
    )
    assert campaign.status == "running"
    assert AuditEvent.objects.filter(action="campaign.start", actor=manager).count() == 1
