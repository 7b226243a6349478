"""Reads for answers by text: what reactivation has asked a number that still waits for READY or
NOT NOW (a campaign's call or re-consent request, a readiness check or a handover request)."""

from __future__ import annotations

from django.db.models import QuerySet

from messaging.registry import OpenQuestion
from messaging.replies import CALL, READINESS, RECONSENT
from reactivation.models import Campaign, CampaignRecipient, ReadinessCheck

OPEN_ROW_STATES = (CampaignRecipient.State.MESSAGED, CampaignRecipient.State.NO_ANSWER)
# A completed campaign still takes the answers of those it asked (a late READY is still counted).
ANSWERABLE_CAMPAIGNS = (Campaign.Status.RUNNING, Campaign.Status.PAUSED, Campaign.Status.COMPLETED)


def campaign_rows_open_for(*, phone: str) -> QuerySet[CampaignRecipient]:
    """The campaign texts to this number still waiting for an answer, newest first."""
    return (
        CampaignRecipient.objects.filter(
            volunteer__phone=phone, state__in=OPEN_ROW_STATES, campaign__status__in=ANSWERABLE_CAMPAIGNS
        )
        .select_related("campaign", "campaign__organisation", "volunteer", "group", "message")
        .order_by("-messaged_at")
    )


def readiness_checks_open_for(*, phone: str) -> QuerySet[ReadinessCheck]:
    """The readiness checks (and handover requests) to this number still waiting, newest first."""
    return (
        ReadinessCheck.objects.filter(contact__phone=phone, answer=ReadinessCheck.Answer.PENDING)
        .select_related("group", "group__organisation", "contact", "message")
        .order_by("-sent_at")
    )


def question_open_for(*, phone: str) -> CampaignRecipient | ReadinessCheck | None:
    """The question a READY or NOT NOW from ``phone`` answers: the newest one asked."""
    row = campaign_rows_open_for(phone=phone).first()
    check = readiness_checks_open_for(phone=phone).first()
    if row is None or check is None:
        return row or check
    # A row that was messaged has messaged_at; one without could not be the newer question.
    if row.messaged_at is not None and row.messaged_at >= check.sent_at:
        return row
    return check


def questions_open_for(phone: str) -> list[OpenQuestion]:
    """messaging context provider: what reactivation asked this number that waits for an answer."""
    questions = [
        OpenQuestion(
            kind=RECONSENT if row.kind == CampaignRecipient.Kind.RECONSENT else CALL,
            label=(
                f"{'re-consent request' if row.kind == CampaignRecipient.Kind.RECONSENT else 'campaign call'}"
                f" of the campaign {row.campaign.name}"
            ),
            organisation_id=row.campaign.organisation_id,
            asked_at=row.messaged_at,
        )
        for row in campaign_rows_open_for(phone=phone)[:5]
    ]
    questions += [
        OpenQuestion(
            kind=READINESS,
            label=(
                f"{'handover request' if check.kind == ReadinessCheck.Kind.HANDOVER else 'readiness check'}"
                f" for the group {check.group.name}"
            ),
            organisation_id=check.group.organisation_id,
            asked_at=check.sent_at,
        )
        for check in readiness_checks_open_for(phone=phone)[:5]
    ]
    return questions
