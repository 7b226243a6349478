"""READY and NOT NOW arrive through messaging's registry, as a real inbound text would."""

import pytest

from messaging.registry import InboundContext, SmsCommand, handler_for
from reactivation.models import CampaignRecipient
from reactivation.services.campaign_lifecycle import campaign_create, campaign_start
from reactivation.services.campaign_sending import campaign_advance
from tests.factories import InboundMessageFactory
from tests.reactivation.conftest import CIRCLE, dormant, dormant_group
from volunteers.models import MutualAidGroup, Volunteer

pytestmark = pytest.mark.django_db


def text(volunteer, command):
    message = InboundMessageFactory(from_number=volunteer.phone, body=command, volunteer=volunteer)
    context = InboundContext(
        message=message, phone=volunteer.phone, volunteer=volunteer, command=SmsCommand(command)
    )
    return handler_for(command)(context)


@pytest.fixture
def called(manager, version):
    organiser, member = dormant(2)
    group = dormant_group(organiser=organiser)
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE), user=manager
    )
    campaign_advance(campaign_id=campaign.pk)
    return campaign, organiser, member, group


def test_ready_turns_the_volunteer_active_and_their_group_reactivating(called):
    campaign, organiser, _, group = called
    reply = text(organiser, "READY")
    assert reply.startswith("Thank you! Brum Aid has you down as ready.")
    organiser.refresh_from_db()
    group.refresh_from_db()
    assert organiser.status == Volunteer.Status.ACTIVE
    assert group.status == MutualAidGroup.Status.REACTIVATING
    assert CampaignRecipient.objects.get(campaign=campaign, volunteer=organiser).state == "ready"


def test_not_now_keeps_them_dormant_and_subscribed(called):
    campaign, _, member, _ = called
    assert "quiet list" in text(member, "NOT_NOW")
    member.refresh_from_db()
    assert member.status == Volunteer.Status.DORMANT
    assert CampaignRecipient.objects.get(campaign=campaign, volunteer=member).state == "not_now"


def test_a_repeated_ready_changes_nothing(called):
    campaign, organiser, _, _ = called
    text(organiser, "READY")
    assert "nothing waiting" in text(organiser, "READY")
    assert CampaignRecipient.objects.filter(campaign=campaign, state="ready").count() == 1


def test_ready_from_someone_never_asked_gets_a_polite_answer(db):
    from tests.factories import VolunteerFactory

    assert "nothing waiting" in text(VolunteerFactory(), "READY")
