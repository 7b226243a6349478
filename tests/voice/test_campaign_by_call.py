"""A reactivation campaign reaches a volunteer who is called: who it is from, the campaign's words,
and key 1 recorded as READY (key 2 as NOT NOW) by the same service as the texts."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine

from reactivation.models import Campaign, CampaignRecipient
from reactivation.services.campaign_lifecycle import (
    campaign_create,
    campaign_pause,
    campaign_resume,
    campaign_start,
)
from reactivation.services.campaign_sending import campaign_advance
from tests.reactivation.conftest import CIRCLE, dormant
from tests.voice.conftest import only_call, texts_to
from voice.calling import calls_dial_due
from voice.models import OutboundCall
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def start(manager, version, run_on_commit):
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE), user=manager
    )
    run_on_commit(campaign_advance, campaign_id=campaign.pk)
    return campaign


def test_a_campaign_calls_a_called_volunteer_and_key_1_records_ready(
    phone_network, run_on_commit, manager, version
):
    (person,) = dormant(1, contact_by=Volunteer.ContactBy.VOICE)
    campaign = start(manager, version, run_on_commit)

    assert texts_to(phone_network, person.phone) == []
    sid = only_call(phone_network, person.phone)
    call = phone_network.walker.answer(sid)
    assert call.said[0] == "Hello, this is a call from Brum Aid."
    assert call.said[1].startswith("neighbours in ") and call.said[1].endswith(
        "need help this week. Can you help?"
    )
    assert "Reply" not in " ".join(call.said)
    assert "Press 1 if you are ready to help." in call.said

    phone_network.walker.press(sid, "1")

    assert call.said[-1].startswith("Thank you, you are down as ready to help.")
    row = CampaignRecipient.objects.get(campaign=campaign, volunteer=person)
    assert row.state == CampaignRecipient.State.READY
    person.refresh_from_db()
    assert person.status == Volunteer.Status.ACTIVE
    assert OutboundCall.objects.get().outcome == "ready"


def test_key_2_is_not_now_and_a_second_key_changes_nothing(phone_network, run_on_commit, manager, version):
    (person,) = dormant(1, contact_by=Volunteer.ContactBy.VOICE)
    campaign = start(manager, version, run_on_commit)
    sid = only_call(phone_network, person.phone)
    phone_network.walker.answer(sid)
    phone_network.walker.press(sid, "2")
    row = CampaignRecipient.objects.get(campaign=campaign, volunteer=person)
    assert row.state == CampaignRecipient.State.NOT_NOW
    person.refresh_from_db()
    assert person.status == Volunteer.Status.DORMANT


def test_a_campaign_call_waits_for_the_end_of_quiet_hours(
    phone_network,
    run_on_commit,
    manager,
    version,
    settings,
):
    settings.SMS_QUIET_HOURS = (time(21, 0), time(8, 0))
    (person,) = dormant(1, contact_by=Volunteer.ContactBy.VOICE)
    with time_machine.travel(datetime(2026, 11, 30, 22, 0, tzinfo=UTC)):
        campaign = start(manager, version, run_on_commit)
    assert phone_network.calls_created() == []
    with time_machine.travel(datetime(2026, 12, 1, 8, 1, tzinfo=UTC)):
        run_on_commit(campaign_advance, campaign_id=campaign.pk)
        calls_dial_due()
    assert only_call(phone_network, person.phone)


def test_a_paused_campaign_holds_its_calls_and_resuming_dials_them_once(
    phone_network, run_on_commit, manager, version
):
    (person,) = dormant(1, contact_by=Volunteer.ContactBy.VOICE)
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE), user=manager
    )
    campaign_advance(campaign_id=campaign.pk)  # queued; its kick waits for a commit that never comes
    campaign_pause(campaign=campaign, user=manager)
    call = OutboundCall.objects.get()
    assert (call.state, call.error_code) == (OutboundCall.State.CANCELLED, "held")
    calls_dial_due()
    assert phone_network.calls_created() == []  # paused: nobody is called

    campaign_resume(campaign=Campaign.objects.get(pk=campaign.pk), user=manager)
    calls_dial_due()
    calls_dial_due()
    assert only_call(phone_network, person.phone)
    assert OutboundCall.objects.count() == 1  # the same row, dialled once
