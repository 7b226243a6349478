import pytest

from messaging.models import OutboundMessage
from reactivation.models import CampaignRecipient
from reactivation.services.campaign_lifecycle import campaign_create, campaign_start
from reactivation.services.campaign_sending import campaign_advance
from tests.factories import OrganisationFactory, StaffRoleFactory, UserFactory
from tests.reactivation.conftest import CIRCLE, dormant
from volunteers.models import StaffRole

pytestmark = pytest.mark.django_db


def test_two_managers_campaigns_do_not_text_the_same_person_twice(manager, version):
    faithful = OrganisationFactory(slug="faithful", name="Faithful Neighbours", covers=["Birmingham"])
    other = StaffRoleFactory(
        user=UserFactory(username="fay"), organisation=faithful, role=StaffRole.Role.CAMPAIGN_MANAGER
    ).user
    people = dormant(3)
    first = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE), user=manager
    )
    # The second is planned before the first sends: its dry run cannot know yet.
    second = campaign_create(user=other, playbook=version, area=CIRCLE)
    assert second.dry_run_report["left_out_total"] == 0
    second = campaign_start(campaign=second, user=other)
    campaign_advance(campaign_id=first.pk)
    campaign_advance(campaign_id=second.pk)

    assert OutboundMessage.objects.count() == 3
    assert {m.to for m in OutboundMessage.objects.all()} == {p.phone for p in people}
    skipped = CampaignRecipient.objects.filter(campaign=second, state="skipped")
    assert skipped.count() == 3
    assert {r.reason for r in skipped} == {"Texted by another campaign in the last 72 hours"}


def test_a_later_dry_run_reports_them_as_left_out(manager, second_manager, version):
    dormant(2)
    first = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE), user=manager
    )
    campaign_advance(campaign_id=first.pk)
    report = campaign_create(user=second_manager, playbook=version, area=CIRCLE).dry_run_report
    assert report["contact_total"] == 0
    assert report["left_out"] == [
        {"code": "other_campaign", "reason": "Texted by another campaign in the last 72 hours", "count": 2}
    ]
