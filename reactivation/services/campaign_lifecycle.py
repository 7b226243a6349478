"""A campaign's life cycle: create (with its dry run), approve, start, pause, resume and cancel.
Sending its waves is reactivation/services/campaign_sending.py.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from messaging.services import messages_withdraw
from reactivation.models import Campaign, CampaignRecipient, Playbook, PlaybookVersion
from reactivation.selectors.campaign_people import PAUSED_REASON
from reactivation.services.areas import area_resolve
from reactivation.services.campaign_sending import (
    campaign_advance_enqueue,
    campaign_key_prefix,
    recipient_rows,
)
from reactivation.services.campaign_standdown import (
    WITHDRAWN_CANCELLED,
    campaign_stand_down,
    queued_withdraw,
)
from reactivation.services.dry_run import (
    NO_DRY_RUN,
    STALE_DRY_RUN,
    plan_fingerprint,
    report_with_approval,
    version_for,
)
from reactivation.services.planning import Plan, plan_build
from voice.calling import calls_hold, calls_restore
from volunteers.models import Organisation, StaffRole
from volunteers.permissions import organisation_for
from volunteers.services import audit_record

MANAGER_ROLES = {StaffRole.Role.CAMPAIGN_MANAGER}
APPROVER_ROLES = {StaffRole.Role.CAMPAIGN_MANAGER, StaffRole.Role.COORDINATOR}


def _has_role(*, user: User, organisation: Organisation, roles: Collection[str]) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return StaffRole.objects.filter(user=user, organisation=organisation, role__in=roles).exists()


def is_campaign_staff(*, user: User, organisation: Organisation) -> bool:
    """A campaign manager or coordinator of ``organisation`` (or a superuser), read afresh."""
    return _has_role(user=user, organisation=organisation, roles=MANAGER_ROLES | APPROVER_ROLES)


def _require_manager(*, user: User, organisation: Organisation) -> None:
    if not _has_role(user=user, organisation=organisation, roles=MANAGER_ROLES):
        raise PermissionDenied(f"Only a campaign manager of {organisation.name} may do this.")


def campaign_dry_run(
    *,
    user: User,
    playbook: Playbook | PlaybookVersion | str,
    area: dict[str, Any],
    organisation: Organisation | None = None,
    language: str = "en",
    target_ready: int | None = None,
) -> dict[str, Any]:
    """What a campaign would do, writing nothing: contacts by group and local authority, who is
    left out and why, message previews, segments, cost, the first wave and whether approval is needed."""
    organisation = organisation or organisation_for(user=user, roles=MANAGER_ROLES, doing="run a campaign")
    _require_manager(user=user, organisation=organisation)
    version = version_for(playbook)
    resolved = area_resolve(area=area, organisation=organisation)
    report = report_with_approval(
        plan_build(
            version=version,
            organisation=organisation,
            area=resolved,
            language=language,
            target_ready=target_ready,
        )
    )
    report["plan_id"] = plan_fingerprint(
        version=version,
        organisation=organisation,
        area=resolved,
        language=language,
        target_ready=target_ready,
    )
    return report


@transaction.atomic
def campaign_create(
    *,
    user: User,
    playbook: Playbook | PlaybookVersion | str,
    area: dict[str, Any],
    organisation: Organisation | None = None,
    name: str = "",
    language: str = "en",
    target_ready: int | None = None,
    spend_cap_pence: int | None = None,
) -> Campaign:
    """A draft campaign holding its dry run. Nothing is sent until ``campaign_start``."""
    organisation = organisation or organisation_for(user=user, roles=MANAGER_ROLES, doing="run a campaign")
    version = version_for(playbook)
    report = campaign_dry_run(
        user=user,
        playbook=version,
        area=area,
        organisation=organisation,
        language=language,
        target_ready=target_ready,
    )
    cap = settings.REACTIVATION_DEFAULT_SPEND_CAP_PENCE if spend_cap_pence is None else spend_cap_pence
    if cap is None or int(cap) <= 0:
        raise ValidationError("A campaign needs a spend cap above zero.")
    resolved = area_resolve(area=area, organisation=organisation)
    return Campaign.objects.create(
        name=name or f"{version.playbook.title}: {resolved.label}",
        playbook_version=version,
        organisation=organisation,
        area=resolved.as_json(),
        language=language,
        target_ready=target_ready,
        created_by=user,
        spend_cap_pence=int(cap),
        estimated_cost_pence=report["estimated_cost_pence"],
        requires_approval=report["requires_approval"],
        dry_run_report=report,
    )


@transaction.atomic
def campaign_launch(
    *, user: User, playbook: Playbook | str, area: dict[str, Any], dry_run_plan: str, **options: Any
) -> Campaign:
    """Create and start at once (the API's ``start: true``), only after a dry run of this very
    plan: ``dry_run_plan`` is the ``plan_id`` that dry run reported. Refused with a plain message
    (and nothing written) without one or when the plan has changed since."""
    if not dry_run_plan:
        raise ValidationError(NO_DRY_RUN)
    organisation = options.pop("organisation", None) or organisation_for(
        user=user, roles=MANAGER_ROLES, doing="run a campaign"
    )
    version = version_for(playbook)
    expected = plan_fingerprint(
        version=version,
        organisation=organisation,
        area=area_resolve(area=area, organisation=organisation),
        language=options.get("language", "en"),
        target_ready=options.get("target_ready"),
    )
    if dry_run_plan != expected:
        raise ValidationError(STALE_DRY_RUN)
    campaign = campaign_create(user=user, playbook=version, area=area, organisation=organisation, **options)
    return campaign_start(campaign=campaign, user=user)


def _plan_afresh(campaign: Campaign) -> Plan:
    """The campaign's plan built again: people may have opted out since the dry run."""
    return plan_build(
        version=campaign.playbook_version,
        organisation=campaign.organisation,
        area=area_resolve(area=campaign.area, organisation=campaign.organisation),
        language=campaign.language,
        target_ready=campaign.target_ready,
        exclude_campaign_id=campaign.pk,
    )


def _approval_wait(*, campaign: Campaign, user: User, reasons: list[str]) -> Campaign:
    campaign.status = Campaign.Status.AWAITING_APPROVAL
    campaign.save()
    audit_record(
        actor=user,
        action="campaign.approval_requested",
        target=campaign,
        organisation=campaign.organisation,
        detail={"reasons": reasons},
    )
    return campaign


def _recipients_write(*, campaign: Campaign, plan: Plan) -> None:
    """One row per person: those to text in rank order, waiting for a wave; those left out, with
    the reason. A restart after a crash finds rows already there: the unique (campaign,
    volunteer) keeps one."""
    rows = recipient_rows(campaign, plan)
    CampaignRecipient.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def _start_audit(*, campaign: Campaign, user: User, report: dict[str, Any]) -> None:
    audit_record(
        actor=user,
        action="campaign.start",
        target=campaign,
        organisation=campaign.organisation,
        detail={
            "playbook": campaign.playbook.slug,
            "version": campaign.playbook_version.number,
            "area": campaign.area,
            "contacts": report["contact_total"],
            "estimated_cost_pence": report["estimated_cost_pence"],
            "spend_cap_pence": campaign.spend_cap_pence,
            "approved_by": campaign.approved_by.get_username() if campaign.approved_by else None,
        },
    )


@transaction.atomic
def campaign_start(*, campaign: Campaign, user: User) -> Campaign:
    """Start a draft: above the thresholds it waits for a second person's approval instead.

    The plan is built afresh (people may have opted out since the dry run) and written as
    recipient rows; the first wave goes out from the task queue."""
    _require_manager(user=user, organisation=campaign.organisation)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.AWAITING_APPROVAL):
        raise ValidationError(f"This campaign is {campaign.get_status_display().lower()}; it cannot start.")
    if not campaign.dry_run_report:
        raise ValidationError("Look at the dry run first: this campaign has none.")
    plan = _plan_afresh(campaign)
    report = report_with_approval(plan)
    campaign.dry_run_report = report
    campaign.estimated_cost_pence = report["estimated_cost_pence"]
    campaign.requires_approval = report["requires_approval"]
    if campaign.requires_approval and campaign.approved_by_id is None:
        return _approval_wait(campaign=campaign, user=user, reasons=report["approval_reasons"])
    if not plan.included:
        raise ValidationError("Nobody in this area can be texted: see who is left out and why.")
    _recipients_write(campaign=campaign, plan=plan)
    campaign.status = Campaign.Status.RUNNING
    campaign.reach_km = campaign.area.get("radius_km")  # a circle's waves may widen from here
    campaign.started_at = timezone.now()
    campaign.save()
    _start_audit(campaign=campaign, user=user, report=report)
    campaign_advance_enqueue(campaign_id=campaign.pk)
    return campaign


@transaction.atomic
def campaign_approve(*, campaign: Campaign, user: User) -> Campaign:
    """A second person approves a campaign above the thresholds, which then starts."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.created_by_id == user.pk:
        raise PermissionDenied("A second person must approve: you cannot approve your own campaign.")
    if not _has_role(user=user, organisation=campaign.organisation, roles=APPROVER_ROLES):
        raise PermissionDenied(
            f"Only a campaign manager or coordinator of {campaign.organisation.name} may approve."
        )
    if campaign.status != Campaign.Status.AWAITING_APPROVAL:
        raise ValidationError("Only a campaign awaiting approval can be approved.")
    campaign.approved_by = user
    campaign.approved_at = timezone.now()
    campaign.save(update_fields=["approved_by", "approved_at"])
    audit_record(actor=user, action="campaign.approve", target=campaign, organisation=campaign.organisation)
    # The approval is the licence; the creator's role is what starts it.
    return campaign_start(campaign=campaign, user=campaign.created_by)


def _transition(*, campaign: Campaign, user: User, from_: tuple[str, ...], to: str, action: str) -> Campaign:
    if not is_campaign_staff(user=user, organisation=campaign.organisation):
        raise PermissionDenied(f"Only staff of {campaign.organisation.name} may do this.")
    changes: dict[str, Any] = {"status": to}
    if to in (Campaign.Status.CANCELLED, Campaign.Status.COMPLETED):
        changes["finished_at"] = timezone.now()
    if not Campaign.objects.filter(pk=campaign.pk, status__in=from_).update(**changes):
        campaign.refresh_from_db()
        raise ValidationError(
            f"This campaign is {campaign.get_status_display().lower()}: it cannot be {action}."
        )
    audit_record(actor=user, action=f"campaign.{action}", target=campaign, organisation=campaign.organisation)
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def campaign_pause(*, campaign: Campaign, user: User) -> Campaign:
    """No new wave and no new text or call until resumed: texts and calls still waiting are held
    back (withdrawn, and put back by ``campaign_resume``); those already with Twilio still go."""
    campaign = _transition(
        campaign=campaign,
        user=user,
        from_=(Campaign.Status.RUNNING,),
        to=Campaign.Status.PAUSED,
        action="paused",
    )
    messages_withdraw(dedupe_key_prefix=campaign_key_prefix(campaign=campaign), reason=PAUSED_REASON)
    calls_hold(dedupe_key_prefix=campaign_key_prefix(campaign=campaign), reason=PAUSED_REASON)
    return campaign


@transaction.atomic
def campaign_resume(*, campaign: Campaign, user: User) -> Campaign:
    campaign = _transition(
        campaign=campaign,
        user=user,
        from_=(Campaign.Status.PAUSED,),
        to=Campaign.Status.RUNNING,
        action="resumed",
    )
    # The held texts go back to the outbox as the same rows (same dedupe key): nothing twice.
    messages_withdraw(
        dedupe_key_prefix=campaign_key_prefix(campaign=campaign), reason=PAUSED_REASON, restore=True
    )
    calls_restore(dedupe_key_prefix=campaign_key_prefix(campaign=campaign))
    campaign_advance_enqueue(campaign_id=campaign.pk)
    return campaign


@transaction.atomic
def campaign_cancel(*, campaign: Campaign, user: User) -> Campaign:
    """Stop for good. Texts still waiting in the outbox are withdrawn and their cost returned."""
    campaign = _transition(
        campaign=campaign,
        user=user,
        from_=(
            Campaign.Status.DRAFT,
            Campaign.Status.AWAITING_APPROVAL,
            Campaign.Status.RUNNING,
            Campaign.Status.PAUSED,
        ),
        to=Campaign.Status.CANCELLED,
        action="cancelled",
    )
    queued_withdraw(campaign=campaign, reason="The campaign was cancelled", row_reason=WITHDRAWN_CANCELLED)
    Campaign.objects.filter(pk=campaign.pk).update(stop_reason="Cancelled by " + user.get_username())
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def campaign_enough(*, campaign: Campaign, user: User) -> Campaign:
    """ "We have enough": the campaign ends; waves not yet sent are cancelled, texts still held are
    withdrawn, and those who said READY and were not deployed get the thanks / stand-down text,
    once. Nothing more goes to anyone else (reactivation/services/campaign_standdown.py)."""
    now = timezone.now()
    campaign = _transition(
        campaign=campaign,
        user=user,
        from_=(Campaign.Status.RUNNING, Campaign.Status.PAUSED),
        to=Campaign.Status.COMPLETED,
        action="stood_down",
    )
    counts = campaign_stand_down(campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(
        stood_down_at=now,
        stop_reason=f"We have enough: {user.get_username()} stood the campaign down; "
        f"{counts['thanked']} thanked and stood down",
    )
    audit_record(
        actor=user,
        action="campaign.stand_down_sent",
        target=campaign,
        organisation=campaign.organisation,
        detail=counts,
    )
    campaign.refresh_from_db()
    return campaign
