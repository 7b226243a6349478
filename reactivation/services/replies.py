"""READY and NOT NOW by text. Registered with messaging's command registry in apps.py.

A reply answers the newest open question put to that phone: a campaign call, a re-consent
request or a readiness check, whichever was sent last.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from reactivation.models import Campaign, CampaignRecipient, ReadinessCheck
from reactivation.services.campaign_sending import campaign_advance_enqueue
from reactivation.services.readiness import readiness_answer
from volunteers.contact_state import Event, contact_event_record
from volunteers.models import MutualAidGroup, Volunteer

OPEN_ROW_STATES = (CampaignRecipient.State.MESSAGED, CampaignRecipient.State.NO_ANSWER)
NOTHING_OPEN = (
    "Thank you. There is nothing waiting for an answer from you just now. Reply HELP for the commands."
)


def _open_question(phone: str) -> CampaignRecipient | ReadinessCheck | None:
    row = (
        CampaignRecipient.objects.filter(
            volunteer__phone=phone,
            state__in=OPEN_ROW_STATES,
            campaign__status__in=[Campaign.Status.RUNNING, Campaign.Status.PAUSED, Campaign.Status.COMPLETED],
        )
        .select_related("campaign", "campaign__organisation", "volunteer", "group", "message")
        .order_by("-messaged_at")
        .first()
    )
    check = (
        ReadinessCheck.objects.filter(contact__phone=phone, answer=ReadinessCheck.Answer.PENDING)
        .select_related("group", "contact", "message")
        .order_by("-sent_at")
        .first()
    )
    if row is None or check is None:
        return row or check
    # A row that was messaged has messaged_at; one without could not be the newer question.
    if row.messaged_at is not None and row.messaged_at >= check.sent_at:
        return row
    return check


def _claimable(row: CampaignRecipient) -> QuerySet[CampaignRecipient]:
    """The row while it is still open: updating it is the claim, so a duplicate delivery of the
    same reply changes nothing."""
    return CampaignRecipient.objects.filter(pk=row.pk, state__in=OPEN_ROW_STATES)


def _advance_if_running(row: CampaignRecipient) -> None:
    if row.campaign.status == Campaign.Status.RUNNING:
        campaign_advance_enqueue(campaign_id=row.campaign_id)


def _reconsent_answer(row: CampaignRecipient, *, ready: bool, now: datetime) -> str:
    """READY renews the person's consent and turns the row into a call; NOT NOW closes it."""
    sender = row.campaign.organisation.name
    if not ready:
        _claimable(row).update(state=CampaignRecipient.State.NOT_NOW, responded_at=now)
        return f"Thank you. {sender} will not text you about this again. Reply STOP to opt out of everything."
    if not _claimable(row).update(
        kind=CampaignRecipient.Kind.CALL, state=CampaignRecipient.State.PENDING, responded_at=now
    ):
        return NOTHING_OPEN
    Volunteer.objects.filter(pk=row.volunteer_id).update(
        consent_at=now,
        consent_text=(row.message.body if row.message else "") + " [replied READY]",
        consent_channel=Volunteer.ConsentChannel.SMS,
        consent_source=f"campaign {row.campaign_id} re-consent",
    )
    # The call itself goes out now that they have agreed (the pending row is in a sent wave).
    _advance_if_running(row)
    return f"Thank you, you are on {sender}'s list again. We will text you when help is needed."


def _ready_answer(row: CampaignRecipient, *, now: datetime) -> str:
    """READY to a call: the person is active again and their dormant group is reactivating."""
    if not _claimable(row).update(state=CampaignRecipient.State.READY, responded_at=now):
        return NOTHING_OPEN
    contact_event_record(phone=row.volunteer.phone, event=Event.READY, now=now)
    Volunteer.objects.filter(pk=row.volunteer_id).update(last_active_at=now)
    if row.group_id:
        MutualAidGroup.objects.filter(pk=row.group_id, status=MutualAidGroup.Status.DORMANT).update(
            status=MutualAidGroup.Status.REACTIVATING, last_verified_at=now
        )
    _advance_if_running(row)
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
    question = _open_question(phone)
    if question is None:
        return NOTHING_OPEN
    if isinstance(question, ReadinessCheck):
        return readiness_answer(check=question, ready=ready)
    now = timezone.now()
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
