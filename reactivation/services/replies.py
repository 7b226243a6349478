"""READY and NOT NOW by text. Registered with messaging's command registry in apps.py.

A reply answers the newest open question put to that phone: a campaign call, a re-consent
request or a readiness check, whichever was sent last (reactivation/selectors/replies.py). A
group contact who answers a campaign has answered their readiness check too: they were reached.
READY to a re-consent request renews consent and counts as READY to the campaign, so the person
is answered once and never asked again in the same campaign.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from reactivation.models import Campaign, CampaignRecipient, ReadinessCheck
from reactivation.selectors.replies import OPEN_ROW_STATES, question_open_for
from reactivation.services.campaign_sending import campaign_advance_enqueue
from reactivation.services.readiness import readiness_answer, readiness_contact_confirm
from volunteers.contact_state import Event, contact_event_record
from volunteers.models import MutualAidGroup, Volunteer

NOTHING_OPEN = (
    "Thank you. There is nothing waiting for an answer from you just now. Reply HELP for the commands."
)


def _claimable(row: CampaignRecipient) -> QuerySet[CampaignRecipient]:
    """The row while it is still open: updating it is the claim, so a duplicate delivery of the
    same reply changes nothing."""
    return CampaignRecipient.objects.filter(pk=row.pk, state__in=OPEN_ROW_STATES)


def _advance_if_running(row: CampaignRecipient) -> None:
    if row.campaign.status == Campaign.Status.RUNNING:
        campaign_advance_enqueue(campaign_id=row.campaign_id)


def _reconsent_answer(row: CampaignRecipient, *, ready: bool, now: datetime) -> str:
    """READY renews the person's consent and is their answer to the campaign (one answer, no
    second request); NOT NOW closes the row."""
    sender = row.campaign.organisation.name
    if not ready:
        _claimable(row).update(state=CampaignRecipient.State.NOT_NOW, responded_at=now)
        return f"Thank you. {sender} will not text you about this again. Reply STOP to opt out of everything."
    if not _ready_record(row, now=now):
        return NOTHING_OPEN
    Volunteer.objects.filter(pk=row.volunteer_id).update(
        consent_at=now,
        consent_text=(row.message.body if row.message else "") + " [replied READY]",
        consent_channel=Volunteer.ConsentChannel.SMS,
        consent_source=f"campaign {row.campaign_id} re-consent",
    )
    return (
        f"Thank you, you are on {sender}'s list again and down as ready to help. You will get a text "
        "when someone near you needs help: reply YES to take it. Reply PAUSE for a break."
    )


def _ready_record(row: CampaignRecipient, *, now: datetime) -> bool:
    """Count READY on the row (the claim): the person is active again and their dormant group
    reactivating. False when the row was already answered."""
    if not _claimable(row).update(state=CampaignRecipient.State.READY, responded_at=now):
        return False
    contact_event_record(phone=row.volunteer.phone, event=Event.READY, now=now)
    Volunteer.objects.filter(pk=row.volunteer_id).update(last_active_at=now)
    if row.group_id:
        MutualAidGroup.objects.filter(pk=row.group_id, status=MutualAidGroup.Status.DORMANT).update(
            status=MutualAidGroup.Status.REACTIVATING, last_verified_at=now
        )
    _advance_if_running(row)
    return True


def _ready_answer(row: CampaignRecipient, *, now: datetime) -> str:
    """READY to a call."""
    if not _ready_record(row, now=now):
        return NOTHING_OPEN
    if row.campaign.stood_down_at is not None:
        # Too late for this campaign: this reply is their stand-down; no second text follows.
        return (
            f"Thank you! {row.campaign.organisation.name} has enough people for now, so you are not "
            "needed this time. You stay on the list and we will text if that changes."
        )
    return (
        f"Thank you! {row.campaign.organisation.name} has you down as ready. You will get a text when "
        "someone near you needs help: reply YES to take it. Reply PAUSE for a break."
    )


def _not_now_answer(row: CampaignRecipient, *, now: datetime) -> str:
    _claimable(row).update(state=CampaignRecipient.State.NOT_NOW, responded_at=now)
    return (
        f"Thank you. No problem: you stay on {row.campaign.organisation.name}'s quiet list and we may "
        "ask again another time."
    )


@transaction.atomic
def reply_record(*, phone: str, ready: bool) -> str:
    """Record READY (``ready=True``) or NOT NOW from ``phone``; returns the reply text."""
    question = question_open_for(phone=phone)
    if question is None:
        return NOTHING_OPEN
    if isinstance(question, ReadinessCheck):
        return readiness_answer(check=question, ready=ready)
    now = timezone.now()
    # They answered us: as a group's contact, that is their readiness answer too.
    readiness_contact_confirm(volunteer_id=question.volunteer_id, ready=ready, now=now)
    if question.kind == CampaignRecipient.Kind.RECONSENT:
        return _reconsent_answer(question, ready=ready, now=now)
    if ready:
        return _ready_answer(question, now=now)
    return _not_now_answer(question, now=now)


def ready_handle(context) -> str | None:
    """messaging.registry handler for READY."""
    return reply_record(phone=context.phone, ready=True)


def not_now_handle(context) -> str | None:
    """messaging.registry handler for NOT NOW."""
    return reply_record(phone=context.phone, ready=False)
