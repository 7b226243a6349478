"""The real inbound path (stored text -> messaging's dispatcher -> our handler -> reply in the
outbox) and the django-q2 schedules the migration installs."""

import pytest
from django_q.models import Schedule

from messaging.inbound import inbound_handle
from messaging.models import OutboundMessage
from reactivation.models import CampaignRecipient
from reactivation.selectors.campaigns import campaign_progress
from reactivation.services.campaign_lifecycle import campaign_create, campaign_start
from reactivation.services.campaign_sending import campaign_advance
from tests.factories import InboundMessageFactory
from tests.reactivation.conftest import CIRCLE, dormant

pytestmark = pytest.mark.django_db


def test_a_texted_ready_is_counted_and_answered(manager, version):
    (person,) = dormant(1)
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE), user=manager
    )
    campaign_advance(campaign_id=campaign.pk)
    inbound = InboundMessageFactory(from_number=person.phone, body="ready!", volunteer=person)

    assert inbound_handle(inbound_id=inbound.pk) == "handled"

    assert CampaignRecipient.objects.get(campaign=campaign, volunteer=person).state == "ready"
    reply = OutboundMessage.objects.get(dedupe_key=f"reply:{inbound.message_sid}")
    assert reply.body.startswith("Thank you! Brum Aid has you down as ready")
    assert campaign_progress(campaign=campaign)["totals"]["ready"] == 1


def test_the_schedules_that_drive_campaigns_and_checks_are_installed():
    funcs = dict(Schedule.objects.values_list("func", "schedule_type"))
    assert funcs["reactivation.tasks.campaigns_advance_task"] == Schedule.MINUTES
    assert funcs["reactivation.tasks.readiness_cycle_task"] == Schedule.DAILY


def test_progress_costs_a_fixed_number_of_queries(manager, version, django_assert_num_queries):
    people = dormant(30)
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE), user=manager
    )
    campaign_advance(campaign_id=campaign.pk)
    assert people
    with django_assert_num_queries(3):
        progress = campaign_progress(campaign=campaign)
    assert progress["totals"]["queued"] == 3 and progress["waiting_for_a_wave"] == 27
