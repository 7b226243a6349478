import pytest

from messaging.models import OutboundMessage
from reactivation.models import CampaignRecipient
from reactivation.services.campaign_lifecycle import campaign_create, campaign_start
from reactivation.services.campaign_sending import campaign_advance
from reactivation.services.replies import reply_record
from tests.reactivation.conftest import CIRCLE, dormant, long_ago
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def test_old_consent_gets_a_reconsent_message_first_and_ready_to_it_is_the_only_answer_asked(
    manager, version
):
    (old,) = dormant(1)
    Volunteer.objects.filter(pk=old.pk).update(consent_at=long_ago(25 * 31))
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE), user=manager
    )
    campaign_advance(campaign_id=campaign.pk)
    campaign_advance(campaign_id=campaign.pk)

    (message,) = OutboundMessage.objects.all()
    assert message.purpose == "campaign_reconsent"
    assert message.body.startswith("Brum Aid: may we still text you")
    assert message.body.endswith("Reply STOP to opt out")

    reply = reply_record(phone=old.phone, ready=True)
    assert reply.startswith("Thank you, you are on Brum Aid's list again and down as ready to help.")
    old.refresh_from_db()
    assert old.consent_channel == "sms" and old.consent_at > long_ago(1)
    assert old.consent_text.startswith("Brum Aid: may we still text you")
    assert old.status == Volunteer.Status.ACTIVE

    # Their READY is their answer to the campaign: no second request to reply READY follows.
    campaign_advance(campaign_id=campaign.pk)
    assert list(OutboundMessage.objects.values_list("purpose", flat=True)) == ["campaign_reconsent"]
    assert CampaignRecipient.objects.get(campaign=campaign, volunteer=old).state == "ready"
    assert "nothing waiting" in reply_record(phone=old.phone, ready=True)


def test_consent_age_is_a_setting(manager, version, settings):
    settings.REACTIVATION_CONSENT_MAX_AGE_DAYS = 30
    (person,) = dormant(1)
    Volunteer.objects.filter(pk=person.pk).update(consent_at=long_ago(40))
    campaign = campaign_create(user=manager, playbook=version, area=CIRCLE)
    assert campaign.dry_run_report["reconsent_first"] == 1


def test_not_now_to_reconsent_sends_no_call(manager, version):
    (old,) = dormant(1)
    Volunteer.objects.filter(pk=old.pk).update(consent_at=long_ago(800))
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE), user=manager
    )
    campaign_advance(campaign_id=campaign.pk)
    reply_record(phone=old.phone, ready=False)
    campaign_advance(campaign_id=campaign.pk)
    assert OutboundMessage.objects.count() == 1
    old.refresh_from_db()
    assert old.consent_at < long_ago(700)
