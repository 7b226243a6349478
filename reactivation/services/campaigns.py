"""Campaigns: create (with its dry run), approve, start, pause, resume, cancel, and advance in
waves. Every text goes through ``messaging.services.message_queue``.

Safe to run twice: a wave is claimed by a conditional UPDATE on ``current_wave``; a recipient is
claimed by moving its row out of ``pending`` under a row lock; the money for a message is claimed
by a conditional UPDATE that keeps ``spent_pence`` at or under the cap; and the message's dedupe key
``campaign:<campaign>:<volunteer>`` makes the outbox refuse a second copy whatever happens.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from messaging.encoding import sms_segments
from messaging.models import OptOut, OutboundMessage
from messaging.services import WITHDRAWN, message_queue, messages_withdraw
from reactivation.models import Campaign, CampaignRecipient, Playbook, PlaybookVersion
from reactivation.services.planning import LEFT_OUT, area_resolve, in_quiet_hours, plan_build, plan_report
from reactivation.waves import next_wave, wave_rules_read
from reactivation.wording import template_for, template_render
from volunteers.models import Membership, Organisation, StaffRole, Volunteer
from volunteers.permissions import organisation_for
from volunteers.services import audit_record

log = logging.getLogger(__name__)

MANAGER_ROLES = {StaffRole.Role.CAMPAIGN_MANAGER}
APPROVER_ROLES = {StaffRole.Role.CAMPAIGN_MANAGER, StaffRole.Role.COORDINATOR}


def _has_role(*, user: AbstractBaseUser, organisation: Organisation, roles: set[str]) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return StaffRole.objects.filter(user=user, organisation=organisation, role__in=roles).exists()


def _can_manage(*, user: AbstractBaseUser, organisation: Organisation) -> bool:
    return _has_role(user=user, organisation=organisation, roles=MANAGER_ROLES | APPROVER_ROLES)


def _require_manager(*, user: AbstractBaseUser, organisation: Organisation) -> None:
    if not _has_role(user=user, organisation=organisation, roles=MANAGER_ROLES):
        raise PermissionDenied(f"Only a campaign manager of {organisation.name} may do this.")


def _version_for(playbook: Playbook | PlaybookVersion | str) -> PlaybookVersion:
    if isinstance(playbook, PlaybookVersion):
        return playbook
    if isinstance(playbook, str):
        playbook = Playbook.objects.filter(slug=playbook).first()
        if playbook is None:
            raise ValidationError("There is no playbook with that name.")
    version = playbook.current_version
    if version is None:
        raise ValidationError(f"{playbook.title} has no version to run yet.")
    return version


def _approval_reasons(report: dict[str, Any]) -> list[str]:
    reasons = []
    size_limit = settings.REACTIVATION_APPROVAL_RECIPIENTS
    cost_limit = settings.REACTIVATION_APPROVAL_COST_PENCE
    if report["contact_total"] > size_limit:
        reasons.append(f"it would text {report['contact_total']} people (more than {size_limit})")
    if report["estimated_cost_pence"] > cost_limit:
        reasons.append(
            f"it could cost £{report['estimated_cost_pence'] / 100:.2f} (more than £{cost_limit / 100:.2f})"
        )
    return reasons


def campaign_dry_run(
    *,
    user: AbstractBaseUser,
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
    version = _version_for(playbook)
    resolved = area_resolve(area=area, organisation=organisation)
    report = plan_report(
        plan_build(
            version=version,
            organisation=organisation,
            area=resolved,
            language=language,
            target_ready=target_ready,
        )
    )
    report["approval_reasons"] = _approval_reasons(report)
    report["requires_approval"] = bool(report["approval_reasons"])
    return report


@transaction.atomic
def campaign_create(
    *,
    user: AbstractBaseUser,
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
    version = _version_for(playbook)
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


def _enqueue_advance(campaign_id: int) -> None:
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task("reactivation.tasks.campaign_advance_task", campaign_id, group="campaigns")
    )


@transaction.atomic
def campaign_start(*, campaign: Campaign, user: AbstractBaseUser) -> Campaign:
    """Start a draft: above the thresholds it waits for a second person's approval instead.

    The plan is built afresh (people may have opted out since the dry run) and written as
    recipient rows; the first wave goes out from the task queue."""
    _require_manager(user=user, organisation=campaign.organisation)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.AWAITING_APPROVAL):
        raise ValidationError(f"This campaign is {campaign.get_status_display().lower()}; it cannot start.")
    resolved = area_resolve(area=campaign.area, organisation=campaign.organisation)
    plan = plan_build(
        version=campaign.playbook_version,
        organisation=campaign.organisation,
        area=resolved,
        language=campaign.language,
        target_ready=campaign.target_ready,
        exclude_campaign_id=campaign.pk,
    )
    report = plan_report(plan)
    report["approval_reasons"] = _approval_reasons(report)
    report["requires_approval"] = bool(report["approval_reasons"])
    campaign.dry_run_report = report
    campaign.estimated_cost_pence = report["estimated_cost_pence"]
    campaign.requires_approval = report["requires_approval"]
    if campaign.requires_approval and campaign.approved_by_id is None:
        campaign.status = Campaign.Status.AWAITING_APPROVAL
        campaign.save()
        audit_record(
            actor=user,
            action="campaign.approval_requested",
            target=campaign,
            organisation=campaign.organisation,
            detail={"reasons": report["approval_reasons"]},
        )
        return campaign
    if not plan.included:
        raise ValidationError("Nobody in this area can be texted: see who is left out and why.")
    rows = [
        CampaignRecipient(
            campaign=campaign,
            volunteer_id=p.volunteer_id,
            group_id=p.group_id,
            kind=p.kind,
            rank=rank,
            distance_km=p.distance_km,
            wave=0,
        )
        for rank, p in enumerate(plan.included, start=1)
    ] + [
        CampaignRecipient(
            campaign=campaign,
            volunteer_id=x.volunteer_id,
            group_id=x.group_id,
            state=CampaignRecipient.State.SKIPPED,
            reason=x.reason,
            wave=0,
        )
        for x in plan.left_out
    ]
    # A restart after a crash finds rows already there: the unique (campaign, volunteer) keeps one.
    CampaignRecipient.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    campaign.status = Campaign.Status.RUNNING
    campaign.started_at = timezone.now()
    campaign.save()
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
    _enqueue_advance(campaign.pk)
    return campaign


@transaction.atomic
def campaign_approve(*, campaign: Campaign, user: AbstractBaseUser) -> Campaign:
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


def _transition(
    *, campaign: Campaign, user: AbstractBaseUser, from_: tuple[str, ...], to: str, action: str
) -> Campaign:
    if not _can_manage(user=user, organisation=campaign.organisation):
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
def campaign_pause(*, campaign: Campaign, user: AbstractBaseUser) -> Campaign:
    """No new wave and no new text until resumed: texts still waiting in the outbox are held back
    (withdrawn, and put back by ``campaign_resume``); those already with a sender still go."""
    campaign = _transition(
        campaign=campaign,
        user=user,
        from_=(Campaign.Status.RUNNING,),
        to=Campaign.Status.PAUSED,
        action="paused",
    )
    messages_withdraw(dedupe_key_prefix=_key_prefix(campaign), reason=PAUSED_REASON)
    return campaign


@transaction.atomic
def campaign_resume(*, campaign: Campaign, user: AbstractBaseUser) -> Campaign:
    campaign = _transition(
        campaign=campaign,
        user=user,
        from_=(Campaign.Status.PAUSED,),
        to=Campaign.Status.RUNNING,
        action="resumed",
    )
    # The held texts go back to the outbox as the same rows (same dedupe key): nothing twice.
    messages_withdraw(dedupe_key_prefix=_key_prefix(campaign), reason=PAUSED_REASON, restore=True)
    _enqueue_advance(campaign.pk)
    return campaign


@transaction.atomic
def campaign_cancel(*, campaign: Campaign, user: AbstractBaseUser) -> Campaign:
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
    _withdraw_queued(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(stop_reason="Cancelled by " + user.get_username())
    campaign.refresh_from_db()
    return campaign


PAUSED_REASON = "Held: the campaign was paused"


def _key_prefix(campaign: Campaign) -> str:
    # Every text of a campaign has the dedupe key campaign:<id>:<volunteer>[:reconsent].
    return f"campaign:{campaign.pk}:"


def _withdraw_queued(campaign: Campaign) -> None:
    """Withdraw what is still in the outbox (and what a pause held back) and return its cost."""
    messages_withdraw(dedupe_key_prefix=_key_prefix(campaign), reason="The campaign was cancelled")
    rows = CampaignRecipient.objects.filter(
        campaign=campaign,
        state=CampaignRecipient.State.MESSAGED,
        message__state=OutboundMessage.State.CANCELLED,
        message__error_code=WITHDRAWN,
    ).select_related("message")
    price = settings.REACTIVATION_PRICE_PER_SEGMENT_PENCE
    for row in rows:
        # Moving the row out of "messaged" is the claim on its refund: a second cancel finds none.
        if CampaignRecipient.objects.filter(pk=row.pk, state=CampaignRecipient.State.MESSAGED).update(
            state=CampaignRecipient.State.SKIPPED,
            reason="Withdrawn: the campaign was cancelled before it went",
        ):
            cost = _cost(row.message.body, price)
            Campaign.objects.filter(pk=campaign.pk, spent_pence__gte=cost).update(
                spent_pence=F("spent_pence") - cost
            )


def _cost(body: str, price: float) -> int:
    return math.ceil(sms_segments(body).segments * price)


def _complete(campaign: Campaign, reason: str) -> bool:
    done = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.RUNNING).update(
        status=Campaign.Status.COMPLETED, finished_at=timezone.now(), stop_reason=reason[:200]
    )
    if done:
        CampaignRecipient.objects.filter(campaign=campaign, state=CampaignRecipient.State.MESSAGED).update(
            state=CampaignRecipient.State.NO_ANSWER
        )
        audit_record(
            actor=None,
            action="campaign.completed",
            target=campaign,
            organisation=campaign.organisation,
            detail={"reason": reason},
        )
    return bool(done)


def _recipient_body(campaign: Campaign, row: CampaignRecipient) -> str:
    volunteer = row.volunteer
    group = row.group
    organiser = ""
    is_contact = False
    if group is not None:
        contact = (
            Membership.objects.filter(group=group, role=Membership.Role.ORGANISER)
            .select_related("volunteer")
            .first()
        )
        organiser = contact.volunteer.name.split(" ")[0] if contact else ""
        is_contact = Membership.objects.filter(
            group=group, volunteer=volunteer, role__in=[Membership.Role.ORGANISER, Membership.Role.DEPUTY]
        ).exists()
    name = (
        "reconsent"
        if row.kind == CampaignRecipient.Kind.RECONSENT
        else ("organiser_call" if is_contact else "volunteer_call")
    )
    values = {
        "sender": campaign.organisation.name,
        "group": group.name if group else "",
        "organiser": organiser,
        "area": volunteer.local_authority.name if volunteer.local_authority else "",
        "name": volunteer.name.split(" ")[0],
    }
    templates = campaign.playbook_version.templates
    return template_render(
        template_for(templates, name=name, language=_language_for(templates, name, volunteer, campaign)),
        values,
    )


def _language_for(templates: dict, name: str, volunteer: Volunteer, campaign: Campaign) -> str:
    """The first of the volunteer's languages (their order is their preference) in which the
    playbook has this text; otherwise the campaign's, which ``template_for`` falls back to English."""
    for language in volunteer.languages or []:
        by_name = templates.get(language) if isinstance(language, str) else None
        if isinstance(by_name, dict) and by_name.get(name):
            return language
    return campaign.language


def _send_reason(campaign: Campaign, volunteer: Volunteer, now) -> str | None:
    """Why someone chosen at the start must not be texted now (things change during a campaign)."""
    if (
        volunteer.status == Volunteer.Status.OPTED_OUT
        or OptOut.objects.filter(phone=volunteer.phone).exists()
    ):
        return LEFT_OUT["opted_out"]
    if volunteer.phone_unreachable_at is not None:
        return LEFT_OUT["unreachable"]
    hours = settings.REACTIVATION_OVERLAP_HOURS
    if (
        CampaignRecipient.objects.filter(volunteer=volunteer, messaged_at__gte=now - timedelta(hours=hours))
        .exclude(campaign=campaign)
        .exists()
    ):
        return LEFT_OUT["other_campaign"].format(hours=hours)
    return None


def recipient_send(*, campaign_id: int, recipient_id: int) -> str:
    """Text one recipient of a running campaign: 'sent', 'skipped', 'gone' (not pending or not
    running) or 'cap' (the next message would pass the spend cap). Safe to call twice."""
    now = timezone.now()
    price = settings.REACTIVATION_PRICE_PER_SEGMENT_PENCE
    with transaction.atomic():
        row = (
            CampaignRecipient.objects.select_for_update()
            .filter(pk=recipient_id, campaign_id=campaign_id, state=CampaignRecipient.State.PENDING)
            .first()
        )
        if row is None:
            return "gone"
        # Lock the person too: two campaigns reaching them at once queue here, and the second
        # sees the first one's text in the overlap rule.
        volunteer = (
            Volunteer.objects.select_for_update(of=("self",))
            .select_related("local_authority")
            .get(pk=row.volunteer_id)
        )
        row.volunteer = volunteer
        campaign = Campaign.objects.select_related("organisation", "playbook_version").get(pk=campaign_id)
        if campaign.status != Campaign.Status.RUNNING:
            return "gone"
        reason = _send_reason(campaign, volunteer, now)
        if reason:
            row.state, row.reason = CampaignRecipient.State.SKIPPED, reason
            row.save(update_fields=["state", "reason"])
            return "skipped"
        body = _recipient_body(campaign, row)
        cost = _cost(body, price)
        # The money is claimed before the text: the cap holds whatever runs at the same time.
        if not Campaign.objects.filter(
            pk=campaign.pk, status=Campaign.Status.RUNNING, spent_pence__lte=campaign.spend_cap_pence - cost
        ).update(spent_pence=F("spent_pence") + cost):
            return "cap"
        suffix = ":reconsent" if row.kind == CampaignRecipient.Kind.RECONSENT else ""
        message = message_queue(
            to=volunteer.phone,
            body=body,
            dedupe_key=f"campaign:{campaign.pk}:{volunteer.pk}{suffix}",
            purpose="campaign_reconsent" if suffix else "campaign_call",
            priority=OutboundMessage.Priority.BULK,
            volunteer=volunteer,
        )
        if message is None:
            Campaign.objects.filter(pk=campaign.pk).update(spent_pence=F("spent_pence") - cost)
            row.state, row.reason = CampaignRecipient.State.SKIPPED, LEFT_OUT["opted_out"]
            row.save(update_fields=["state", "reason"])
            return "skipped"
        row.state = CampaignRecipient.State.MESSAGED
        row.message = message
        row.messaged_at = now
        row.save(update_fields=["state", "message", "messaged_at"])
        return "sent"


def _flush(campaign: Campaign) -> bool:
    """Send every pending row already given a wave. False when the spend cap stopped it."""
    ids = list(
        CampaignRecipient.objects.filter(
            campaign=campaign,
            state=CampaignRecipient.State.PENDING,
            wave__gte=1,
            wave__lte=campaign.current_wave,
        )
        .order_by("rank")
        .values_list("pk", flat=True)
    )
    for rid in ids:
        outcome = recipient_send(campaign_id=campaign.pk, recipient_id=rid)
        if outcome == "cap":
            _complete(campaign, "Spend cap reached: the next text would have passed it")
            return False
    return True


def campaign_advance(*, campaign_id: int) -> str:
    """One step of a running campaign; the scheduler calls it every minute and READY replies
    call it at once. Finishes sending the current wave, ends the campaign when the target is
    reached, and after the wave's wait sends the next, right-sized wave. Safe to run twice."""
    from reactivation.selectors import reply_rate_for

    campaign = Campaign.objects.select_related("playbook_version", "organisation").get(pk=campaign_id)
    if campaign.status != Campaign.Status.RUNNING:
        return f"not running ({campaign.status})"
    if campaign.current_wave and not _flush(campaign):
        return "stopped: spend cap"
    rules = wave_rules_read(campaign.playbook_version.wave_rules)
    rows = CampaignRecipient.objects.filter(campaign=campaign)
    target = campaign.dry_run_report.get("target_ready") or rules.stop_when_ready
    ready_total = rows.filter(state=CampaignRecipient.State.READY).count()
    now = timezone.now()
    if ready_total >= target:
        _complete(campaign, f"Target reached: {ready_total} ready of {target} needed")
        return "completed: target reached"
    if campaign.wave_sent_at and now < campaign.wave_sent_at + timedelta(minutes=rules.wait_minutes):
        return "waiting for replies"
    if in_quiet_hours(now)[0]:
        return "waiting: quiet hours"
    last = rows.filter(wave=campaign.current_wave) if campaign.current_wave else rows.none()
    decision = next_wave(
        rules=rules,
        target=target,
        waves_sent=campaign.current_wave,
        last_wave_size=last.exclude(state=CampaignRecipient.State.SKIPPED).count(),
        last_wave_ready=last.filter(state=CampaignRecipient.State.READY).count(),
        ready_total=ready_total,
        remaining=rows.filter(state=CampaignRecipient.State.PENDING, wave=0).count(),
        reply_rate=campaign.dry_run_report.get("reply_rate") or reply_rate_for(local_authority_ids=[]),
    )
    if decision.finish:
        # Wait for answers still due? No: the wave's wait is over, what is missing is "no answer".
        _complete(campaign, decision.reason[0].upper() + decision.reason[1:])
        return f"completed: {decision.reason}"
    wave = campaign.current_wave + 1
    with transaction.atomic():
        # The claim: only one worker moves the campaign to the next wave.
        if not Campaign.objects.filter(
            pk=campaign.pk, status=Campaign.Status.RUNNING, current_wave=campaign.current_wave
        ).update(current_wave=wave, wave_sent_at=now):
            return "another worker took this wave"
        ids = list(
            rows.filter(state=CampaignRecipient.State.PENDING, wave=0)
            .order_by("rank")
            .values_list("pk", flat=True)[: decision.send]
        )
        CampaignRecipient.objects.filter(pk__in=ids).update(wave=wave)
    campaign.refresh_from_db()
    if not _flush(campaign):
        return f"wave {wave}: stopped by the spend cap"
    return f"wave {wave}: {len(ids)} texted"


def campaigns_advance_all() -> list[str]:
    """Advance every running campaign (the every-minute schedule)."""
    return [
        f"{cid}: {campaign_advance(campaign_id=cid)}"
        for cid in Campaign.objects.filter(status=Campaign.Status.RUNNING).values_list("pk", flat=True)
    ]
