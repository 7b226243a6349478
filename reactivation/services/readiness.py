"""Readiness checks: the dormant-group register kept alive.

Every few months (default three) each dormant group's organiser is texted: still the contact,
could the group help again? READY or NOT NOW both confirm the contact (``last_verified_at``); an
organiser who misses two checks in a row is stale, and the deputy is asked to take over.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.i18n import call_line
from messaging.models import OptOut, OutboundMessage
from messaging.services import message_queue
from reactivation.models import ReadinessCheck
from reactivation.wording import DEFAULT_TEMPLATES, call_line_insert, template_render
from volunteers.models import Membership, MutualAidGroup, Volunteer


def _sender(group: MutualAidGroup) -> str:
    organisation = group.organisation  # no query when the group has none
    return organisation.name if organisation is not None else settings.SMS_SENDER_NAME


def _contact(group: MutualAidGroup, role: str) -> Volunteer | None:
    m = (
        Membership.objects.filter(group=group, role=role)
        .exclude(volunteer__status=Volunteer.Status.OPTED_OUT)
        .select_related("volunteer")
        .order_by("joined_at")
        .first()
    )
    return m.volunteer if m else None


def readiness_contact_for(group: MutualAidGroup) -> Volunteer | None:
    """Whom a readiness check of ``group`` goes to: its organiser, else its deputy."""
    return _contact(group, Membership.Role.ORGANISER) or _contact(group, Membership.Role.DEPUTY)


def readiness_check_send(
    *, group: MutualAidGroup, contact: Volunteer, kind: str, now=None, sender: str = ""
) -> ReadinessCheck | None:
    """Text one readiness check (or a handover request to the deputy); None when one is already
    open for that contact or their number has opted out. Safe to call twice the same day.
    ``sender``: who asks, when not the group's own organisation (an infrastructure body)."""
    now = now or timezone.now()
    template = DEFAULT_TEMPLATES[
        "readiness_handover" if kind == ReadinessCheck.Kind.HANDOVER else "readiness_check"
    ]
    body = template_render(template, {"sender": sender or _sender(group), "group": group.name})
    body = call_line_insert(body, call_line())  # English: the readiness words have no other language yet
    try:
        with transaction.atomic():
            check = ReadinessCheck.objects.create(group=group, contact=contact, kind=kind, sent_at=now)
            message = message_queue(
                to=contact.phone,
                body=body,
                dedupe_key=f"readiness:{group.pk}:{contact.pk}:{kind}:{now:%Y-%m-%d}",
                purpose="readiness_" + kind,
                priority=OutboundMessage.Priority.BULK,
                volunteer=contact,
            )
            if message is None:
                raise _OptedOut
            check.message = message
            check.save(update_fields=["message"])
            return check
    except IntegrityError:
        return None  # one is already open for this contact: the partial unique constraint
    except _OptedOut:
        return None


class _OptedOut(Exception):
    pass


def readiness_cycle(*, now=None) -> dict[str, int]:
    """The daily job: close checks past their answer window, mark stale contacts and ask the
    deputy, then send the checks that are due. Safe to run twice a day or after a missed day."""
    now = now or timezone.now()
    answer_days = settings.REACTIVATION_READINESS_ANSWER_DAYS
    interval = timedelta(days=settings.REACTIVATION_READINESS_INTERVAL_DAYS)
    stale_after = settings.REACTIVATION_STALE_AFTER_MISSES
    counts = {"missed": 0, "stopped": 0, "handovers": 0, "sent": 0}

    overdue = ReadinessCheck.objects.filter(
        answer=ReadinessCheck.Answer.PENDING, sent_at__lt=now - timedelta(days=answer_days)
    ).annotate(opted=Exists(OptOut.objects.filter(phone=OuterRef("contact__phone"))))
    for check in overdue.select_related("group", "contact"):
        with transaction.atomic():
            answer = ReadinessCheck.Answer.STOPPED if check.opted else ReadinessCheck.Answer.NO_ANSWER
            # Claim the check: a second run of the cycle finds it already closed.
            if not ReadinessCheck.objects.filter(pk=check.pk, answer=ReadinessCheck.Answer.PENDING).update(
                answer=answer
            ):
                continue
            counts["stopped" if check.opted else "missed"] += 1
            if check.kind == ReadinessCheck.Kind.HANDOVER:
                continue  # a deputy who does not answer leaves the group stale: shown on the register
            group = MutualAidGroup.objects.select_for_update().get(pk=check.group_id)
            group.missed_checks = stale_after if check.opted else group.missed_checks + 1
            group.save(update_fields=["missed_checks", "updated_at"])
            if group.missed_checks >= stale_after:
                deputy = _contact(group, Membership.Role.DEPUTY)
                if deputy is not None and readiness_check_send(
                    group=group, contact=deputy, kind=ReadinessCheck.Kind.HANDOVER, now=now
                ):
                    counts["handovers"] += 1

    due = (
        MutualAidGroup.objects.filter(status=MutualAidGroup.Status.DORMANT, missed_checks__lt=stale_after)
        .exclude(readiness_checks__sent_at__gte=now - interval)
        .exclude(readiness_checks__answer=ReadinessCheck.Answer.PENDING)
        .select_related("organisation")
        .distinct()
    )
    for group in due:
        organiser = _contact(group, Membership.Role.ORGANISER) or _contact(group, Membership.Role.DEPUTY)
        if organiser is not None and readiness_check_send(
            group=group, contact=organiser, kind=ReadinessCheck.Kind.CHECK, now=now
        ):
            counts["sent"] += 1
    return counts


@transaction.atomic
def readiness_answer(*, check: ReadinessCheck, ready: bool, now=None, renew_consent: bool = True) -> str:
    """Record READY or NOT NOW to a readiness check and say thank you. Both confirm the contact;
    READY to a handover makes the deputy the organiser (steward succession). ``renew_consent``:
    READY to the check's own words renews consent; an answer given to another text does not."""
    now = now or timezone.now()
    if not ReadinessCheck.objects.filter(pk=check.pk, answer=ReadinessCheck.Answer.PENDING).update(
        answer=ReadinessCheck.Answer.READY if ready else ReadinessCheck.Answer.NOT_NOW, answered_at=now
    ):
        return "Thank you, we already have your answer."
    group = MutualAidGroup.objects.select_for_update().get(pk=check.group_id)
    contact = check.contact
    handover = check.kind == ReadinessCheck.Kind.HANDOVER
    if handover and not ready:
        return f"Thank you. We will look for someone else to be the contact for {group.name}."
    group.last_verified_at = now
    group.missed_checks = 0
    group.save(update_fields=["last_verified_at", "missed_checks", "updated_at"])
    if handover:
        Membership.objects.filter(group=group, role=Membership.Role.ORGANISER).update(
            role=Membership.Role.MEMBER
        )
        Membership.objects.filter(group=group, volunteer=contact).update(role=Membership.Role.ORGANISER)
        return f"Thank you! You are now the contact for {group.name}. We will only text if help is needed."
    if ready and renew_consent:
        # The check asked whether we may keep them on the register: READY renews consent too.
        Volunteer.objects.filter(pk=contact.pk).update(
            consent_at=now,
            consent_text=check.message.body if check.message else "Readiness check answered READY",
            consent_channel=Volunteer.ConsentChannel.SMS,
            consent_source=f"readiness check {check.pk}",
        )
    if ready:
        return f"Thank you! {group.name} stays on the register, ready if needed. Reply STOP to opt out"
    return f"Thank you. {group.name} stays on the register; we will ask again in a few months."


def readiness_contact_confirm(*, volunteer_id: int, ready: bool, now=None) -> None:
    """A group's contact answered another text (a campaign's call): they were reached. Their open
    readiness checks take the same answer, and the groups they organise are confirmed, so nobody
    counts them as missing a check or tells the deputy the organiser could not be reached. A
    handover request stays open: answering a campaign is not agreeing to take over a group."""
    now = now or timezone.now()
    checks = ReadinessCheck.objects.filter(
        contact_id=volunteer_id, answer=ReadinessCheck.Answer.PENDING, kind=ReadinessCheck.Kind.CHECK
    ).select_related("contact", "message")
    for check in checks:
        readiness_answer(check=check, ready=ready, now=now, renew_consent=False)
    MutualAidGroup.objects.filter(
        memberships__volunteer_id=volunteer_id, memberships__role=Membership.Role.ORGANISER
    ).update(last_verified_at=now, missed_checks=0)
