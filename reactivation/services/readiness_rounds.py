"""A readiness check sent now, by hand, from the register-health page: to the dormant groups of
one local authority whose contact is due a check or was never confirmed. It goes through the
readiness checks' own machinery (``readiness_check_send``: one open check per contact, opt-outs
honoured, quiet hours kept) and, above the campaigns' approval threshold, waits for a second
campaign manager of the same infrastructure body, as a campaign does."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.i18n import call_line
from messaging.encoding import sms_segments
from reactivation.models import ReadinessCheck, ReadinessRound
from reactivation.selectors.register_health import health_organisations_for, register_health
from reactivation.services.readiness import readiness_check_send, readiness_contact_for
from reactivation.wording import DEFAULT_TEMPLATES, SAMPLE_VALUES, call_line_insert, template_render
from volunteers.models import MutualAidGroup, Organisation
from volunteers.services import audit_record


def _require_health_manager(*, user: User, organisation: Organisation) -> None:
    if not health_organisations_for(user=user).filter(pk=organisation.pk).exists():
        raise PermissionDenied(
            f"Only a campaign manager of {organisation.name}, an infrastructure body, may send readiness checks here."
        )


def _needs_approval(*, count: int, organisation: Organisation) -> bool:
    """The campaigns' two-person rule: more texts, or more cost, than their thresholds."""
    sample = call_line_insert(
        template_render(DEFAULT_TEMPLATES["readiness_check"], {**SAMPLE_VALUES, "sender": organisation.name}),
        call_line(),  # as readiness_check_send adds it
    )
    cost = count * sms_segments(sample).segments * settings.REACTIVATION_PRICE_PER_SEGMENT_PENCE
    return (
        count > settings.REACTIVATION_APPROVAL_RECIPIENTS or cost > settings.REACTIVATION_APPROVAL_COST_PENCE
    )


@transaction.atomic
def readiness_round_request(
    *, user: User, organisation: Organisation, local_authority_id: int
) -> ReadinessRound:
    """Ask, now, every dormant group of the local authority whose contact is due or never
    confirmed: sent at once, or left awaiting a second campaign manager above the thresholds."""
    _require_health_manager(user=user, organisation=organisation)
    health = next(
        (h for h in register_health(organisation=organisation) if h.local_authority.pk == local_authority_id),
        None,
    )
    if health is None:
        raise ValidationError(f"{organisation.name} does not cover that council area.")
    name = health.local_authority.name
    if health.awaiting is not None:
        raise ValidationError(
            f"A readiness check for {name} already waits for a second person to approve it."
        )
    if not health.askable:
        raise ValidationError(
            f"No dormant group in {name} is due a check that is not already waiting for an answer."
        )
    round_ = ReadinessRound.objects.create(
        organisation=organisation,
        local_authority=health.local_authority,
        group_ids=[g.group.pk for g in health.askable],
        requested_by=user,
    )
    audit_record(
        actor=user,
        action="readiness_round.requested",
        target=round_,
        organisation=organisation,
        detail={"local_authority": name, "groups": len(round_.group_ids)},
    )
    if _needs_approval(count=len(round_.group_ids), organisation=organisation):
        return round_
    return _round_send(round_)


@transaction.atomic
def readiness_round_approve(*, user: User, round_: ReadinessRound) -> ReadinessRound:
    """A second campaign manager of the same body approves, and the checks go."""
    round_ = ReadinessRound.objects.select_for_update().get(pk=round_.pk)
    if round_.requested_by_id == user.pk:
        raise PermissionDenied("A second person must approve: you cannot approve your own request.")
    _require_health_manager(user=user, organisation=round_.organisation)
    if round_.status != ReadinessRound.Status.AWAITING_APPROVAL:
        raise ValidationError("These readiness checks were sent already.")
    round_.approved_by = user
    round_.save(update_fields=["approved_by"])
    audit_record(
        actor=user, action="readiness_round.approved", target=round_, organisation=round_.organisation
    )
    return _round_send(round_)


def _round_send(round_: ReadinessRound) -> ReadinessRound:
    """Send the round's checks, once: the status change is the claim."""
    now = timezone.now()
    if not ReadinessRound.objects.filter(pk=round_.pk, status=ReadinessRound.Status.AWAITING_APPROVAL).update(
        status=ReadinessRound.Status.SENT, sent_at=now
    ):
        round_.refresh_from_db()
        return round_
    sent = 0
    groups = MutualAidGroup.objects.filter(
        pk__in=round_.group_ids, status=MutualAidGroup.Status.DORMANT
    ).select_related("organisation")
    for group in groups:
        contact = readiness_contact_for(group)
        if contact is not None and readiness_check_send(
            group=group,
            contact=contact,
            kind=ReadinessCheck.Kind.CHECK,
            now=now,
            sender=round_.organisation.name,
        ):
            sent += 1
    ReadinessRound.objects.filter(pk=round_.pk).update(sent_count=sent)
    audit_record(
        actor=None,
        action="readiness_round.sent",
        target=round_,
        organisation=round_.organisation,
        detail={"checks": sent},
    )
    round_.refresh_from_db()
    return round_
