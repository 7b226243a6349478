"""After the claim: ask the volunteer whether the need is done; alert the coordinators if unanswered."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from core.i18n import text_language
from messaging.models import OutboundMessage
from messaging.services import message_queue
from needs import texts
from needs.models import Need
from needs.privacy import followup_unanswered_message
from needs.selectors import FOLLOWUP_UNANSWERED_ACTION
from volunteers.phones import phone_is_landline
from volunteers.services import audit_record


def _followup_after() -> timedelta:
    return timedelta(hours=settings.NEEDS_FOLLOWUP_AFTER_HOURS)


def _followup_answer_within() -> timedelta:
    return timedelta(hours=settings.NEEDS_FOLLOWUP_ANSWER_HOURS)


def needs_follow_up_due(*, now: datetime | None = None) -> dict[str, int]:
    """Ask the volunteer whether an assigned need is done once ``NEEDS_FOLLOWUP_AFTER_HOURS``
    have passed since its window (or, without a window, since it was assigned); alert the posting
    coordinators when that question is still unanswered ``NEEDS_FOLLOWUP_ANSWER_HOURS`` later.

    Safe to run twice or concurrently: each step is claimed by a conditional UPDATE on the need
    (``followup_sent_at IS NULL``, ``followup_alerted_at IS NULL``) before anything is sent.
    """
    now = now or timezone.now()
    asked = _followups_ask(now=now)
    alerted = _followups_alert_unanswered(now=now)
    return {"asked": asked, "alerted": alerted}


def _followups_ask(*, now: datetime) -> int:
    """Text "is it done?" to the volunteer of each assigned need now due a follow-up (up to 500)."""
    asked = 0
    to_ask = (
        Need.objects.filter(status=Need.Status.ASSIGNED, followup_sent_at__isnull=True)
        .alias(due_from=Coalesce("window_end", "window_start", "assigned_at"))
        .filter(due_from__lte=now - _followup_after())
        .select_related("assigned_volunteer")
    )
    for need in to_ask[:500]:
        with transaction.atomic():
            if not Need.objects.filter(
                pk=need.pk, status=Need.Status.ASSIGNED, followup_sent_at__isnull=True
            ).update(followup_sent_at=now):
                continue  # another run got there first, or the need was marked done meanwhile
            volunteer = need.assigned_volunteer
            # A landline cannot take the text; the unanswered follow-up then reaches a coordinator.
            if volunteer is not None and not phone_is_landline(volunteer.phone):
                with translation.override(text_language(volunteer.preferred_language)):
                    body = texts.followup_text(sender=settings.SMS_SENDER_NAME, ref=need.ref)
                message_queue(
                    to=volunteer.phone,
                    body=body,
                    dedupe_key=f"need-followup:{need.pk}",
                    purpose="need_followup",
                    priority=OutboundMessage.Priority.URGENT,
                    volunteer=volunteer,
                )
            asked += 1
    return asked


def _followups_alert_unanswered(*, now: datetime) -> int:
    """Alert the posting coordinators (an audit event the dashboard lists) about each need whose
    follow-up has gone unanswered for ``NEEDS_FOLLOWUP_ANSWER_HOURS`` (up to 500)."""
    alerted = 0
    unanswered = Need.objects.filter(
        status=Need.Status.ASSIGNED,
        followup_alerted_at__isnull=True,
        followup_sent_at__lte=now - _followup_answer_within(),
    ).select_related("organisation", "assigned_volunteer")
    for need in unanswered[:500]:
        with transaction.atomic():
            if not Need.objects.filter(
                pk=need.pk, status=Need.Status.ASSIGNED, followup_alerted_at__isnull=True
            ).update(followup_alerted_at=now):
                continue
            volunteer = need.assigned_volunteer
            audit_record(
                actor=None,
                action=FOLLOWUP_UNANSWERED_ACTION,
                target=need,
                organisation=need.organisation,
                detail={
                    "ref": need.ref,
                    "volunteer_id": need.assigned_volunteer_id,
                    "message": followup_unanswered_message(
                        ref=need.ref, name=volunteer.name if volunteer is not None else ""
                    ),
                },
            )
            alerted += 1
    return alerted
