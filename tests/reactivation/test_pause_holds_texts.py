"""Pause holds back the campaign's texts still in the outbox; resume puts the same rows back (same
dedupe key, so nobody gets a second copy); a text already with a sender is never touched."""

import pytest

from messaging.models import OutboundMessage
from messaging.services import messages_withdraw, optout_record
from reactivation.services.campaign_lifecycle import (
    campaign_cancel,
    campaign_create,
    campaign_pause,
    campaign_resume,
    campaign_start,
)
from reactivation.services.campaign_sending import campaign_advance
from tests.reactivation.conftest import CIRCLE, dormant

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave_one(manager, version):
    """Wave 1 queued three texts: one already sent, one being sent right now, one still waiting."""
    people = dormant(12)
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE, target_ready=9), user=manager
    )
    campaign_advance(campaign_id=campaign.pk)
    sent, sending, waiting = OutboundMessage.objects.order_by("pk")
    OutboundMessage.objects.filter(pk=sent.pk).update(state="sent", provider_sid="SM1")
    OutboundMessage.objects.filter(pk=sending.pk).update(state="sending")
    return campaign, people, (sent, sending, waiting)


def states():
    return list(OutboundMessage.objects.order_by("pk").values_list("state", "error_code"))


def test_pause_holds_only_the_text_not_yet_claimed(wave_one, manager):
    campaign, _, _ = wave_one
    campaign_pause(campaign=campaign, user=manager)
    assert states() == [("sent", ""), ("sending", ""), ("cancelled", "withdrawn")]


def test_resume_puts_the_held_text_back_as_the_same_row(wave_one, manager):
    campaign, _, (_, _, waiting) = wave_one
    campaign_pause(campaign=campaign, user=manager)
    campaign_resume(campaign=campaign, user=manager)
    assert states() == [("sent", ""), ("sending", ""), ("queued", "")]
    assert OutboundMessage.objects.get(pk=waiting.pk).dedupe_key == waiting.dedupe_key
    assert OutboundMessage.objects.count() == 3


def test_someone_who_opts_out_during_the_pause_is_not_texted_on_resume(wave_one, manager):
    campaign, _, (_, _, waiting) = wave_one
    campaign_pause(campaign=campaign, user=manager)
    optout_record(phone=waiting.to, source="sms", keyword="STOP")
    campaign_resume(campaign=campaign, user=manager)
    assert OutboundMessage.objects.get(pk=waiting.pk).state == "cancelled"


def test_cancelling_a_paused_campaign_refunds_the_held_text(wave_one, manager):
    campaign, _, _ = wave_one
    campaign_pause(campaign=campaign, user=manager)
    campaign = campaign_cancel(campaign=campaign, user=manager)
    assert campaign.spent_pence == 8  # the sent one and the one with a sender: 4p each
    assert campaign.recipients.filter(reason__startswith="Withdrawn").count() == 1
    assert not OutboundMessage.objects.filter(state="queued").exists()


def test_withdraw_needs_to_be_told_which_messages():
    with pytest.raises(ValueError, match="Say which messages"):
        messages_withdraw(reason="x")


def test_withdraw_by_ids_returns_what_it_changed(wave_one):
    _, _, (sent, sending, waiting) = wave_one
    assert messages_withdraw(ids=[sent.pk, sending.pk, waiting.pk], reason="test") == [waiting.pk]
    assert messages_withdraw(ids=[waiting.pk], reason="test") == []
    assert messages_withdraw(ids=[waiting.pk], reason="other", restore=True) == []
    assert messages_withdraw(ids=[waiting.pk], reason="test", restore=True) == [waiting.pk]
