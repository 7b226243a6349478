"""Sending a running campaign: its waves and each message. Every text goes through
``messaging.services.message_queue``; a volunteer who is called gets a call through
``voice.calling.call_queue`` instead (reactivation.calls speaks it).

Safe to run twice: a wave is claimed by a conditional UPDATE on ``current_wave``; a recipient is
claimed by moving its row out of ``pending`` under a row lock; the money for a message is claimed
by a conditional UPDATE that keeps ``spent_pence`` at or under the cap; and the message's dedupe key
``campaign:<campaign>:<volunteer>`` makes the outbox refuse a second copy whatever happens.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef
from django.utils import timezone, translation

from core.i18n import call_line, text_language
from messaging.encoding import sms_segments
from messaging.models import OptOut, OutboundMessage
from messaging.services import message_queue
from reactivation.models import Campaign, CampaignRecipient
from reactivation.selectors.campaigns import reply_rate_for
from reactivation.services.areas import area_resolve
from reactivation.services.planning import LEFT_OUT, Plan, in_quiet_hours, plan_build, template_name
from reactivation.waves import WaveRules, next_wave, reach_next, wave_rules_read
from reactivation.wording import call_line_insert, template_for, template_language, template_render
from voice.calling import call_queue
from volunteers.geography import CELL_SIDES_KM
from volunteers.models import Membership, Volunteer
from volunteers.services import audit_record


def campaign_advance_enqueue(*, campaign_id: int) -> None:
    """Advance the campaign from the task queue once the current transaction commits."""
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task("reactivation.tasks.campaign_advance_task", campaign_id, group="campaigns")
    )


def campaign_key_prefix(*, campaign: Campaign) -> str:
    """The start of every dedupe key of a campaign's texts: campaign:<id>:<volunteer>[:reconsent]."""
    return f"campaign:{campaign.pk}:"


def sms_cost_pence(*, body: str, price: float) -> int:
    """What a text costs, in whole pence: its segments at ``price`` each, rounded up."""
    return math.ceil(sms_segments(body).segments * price)


def opted_out_mark(*, campaign: Campaign) -> int:
    """Rows still waiting for an answer whose number has opted out since (STOP, a carrier's
    refusal) are "opted out", not "no answer": the funnel counts them apart."""
    opted = OptOut.objects.filter(phone=OuterRef("volunteer__phone"))
    ids = list(
        CampaignRecipient.objects.filter(
            campaign=campaign, state__in=(CampaignRecipient.State.MESSAGED, CampaignRecipient.State.NO_ANSWER)
        )
        .filter(Exists(opted))
        .values_list("pk", flat=True)
    )
    return CampaignRecipient.objects.filter(
        pk__in=ids, state__in=(CampaignRecipient.State.MESSAGED, CampaignRecipient.State.NO_ANSWER)
    ).update(state=CampaignRecipient.State.OPTED_OUT)


def _complete(campaign: Campaign, reason: str) -> bool:
    done = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.RUNNING).update(
        status=Campaign.Status.COMPLETED, finished_at=timezone.now(), stop_reason=reason[:200]
    )
    if done:
        opted_out_mark(campaign=campaign)
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


def recipient_body(campaign: Campaign, row: CampaignRecipient, *, spoken: bool = False) -> tuple[str, str]:
    """The text for one recipient, and the number of the organiser it names (when it names one
    who is not the recipient): the outbox records it, so erasing the organiser reaches the text.
    ``spoken``: the words said on a call, without the phone line's "To hear this, call ..." """
    volunteer = row.volunteer
    group = row.group
    organiser = ""
    organiser_phone = ""
    is_contact = False
    if group is not None:
        contact = (
            Membership.objects.filter(group=group, role=Membership.Role.ORGANISER)
            .select_related("volunteer")
            .first()
        )
        organiser = contact.volunteer.name.split(" ")[0] if contact else ""
        organiser_phone = contact.volunteer.phone if contact and contact.volunteer_id != volunteer.pk else ""
        is_contact = Membership.objects.filter(
            group=group, volunteer=volunteer, role__in=[Membership.Role.ORGANISER, Membership.Role.DEPUTY]
        ).exists()
    name = template_name(kind=row.kind, is_contact=is_contact)
    values = {
        "sender": campaign.organisation.name,
        "group": group.name if group else "",
        "organiser": organiser,
        "area": volunteer.local_authority.name if volunteer.local_authority else "",
        "name": volunteer.name.split(" ")[0],
    }
    templates = campaign.playbook_version.templates
    language = template_language(
        templates, name=name, preferred=volunteer.preferred_language, fallback=campaign.language
    )
    template = template_for(templates, name=name, language=language)
    body = template_render(template, values)
    if not spoken:
        with translation.override(text_language(language)):
            body = call_line_insert(body, call_line())
    return body, organiser_phone if "{organiser}" in template else ""


def _send_reason(campaign: Campaign, volunteer: Volunteer, now) -> str | None:
    """Why someone chosen at the start must not be texted now (things change during a campaign)."""
    if (
        volunteer.status in (Volunteer.Status.OPTED_OUT, Volunteer.Status.ERASED)
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
        if volunteer.is_called and row.kind == CampaignRecipient.Kind.CALL:
            return _recipient_call(campaign, row, volunteer, now)
        body, about_phone = recipient_body(campaign, row)
        cost = sms_cost_pence(body=body, price=price)
        # The money is claimed before the text: the cap holds whatever runs at the same time.
        if not Campaign.objects.filter(
            pk=campaign.pk, status=Campaign.Status.RUNNING, spent_pence__lte=campaign.spend_cap_pence - cost
        ).update(spent_pence=F("spent_pence") + cost):
            return "cap"
        suffix = ":reconsent" if row.kind == CampaignRecipient.Kind.RECONSENT else ""
        message = message_queue(
            to=volunteer.phone,
            body=body,
            dedupe_key=f"{campaign_key_prefix(campaign=campaign)}{volunteer.pk}{suffix}",
            purpose="campaign_reconsent" if suffix else "campaign_call",
            priority=OutboundMessage.Priority.BULK,
            volunteer=volunteer,
            about_phone=about_phone,
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


def _recipient_call(campaign: Campaign, row: CampaignRecipient, volunteer: Volunteer, now) -> str:
    """A volunteer who is called gets the campaign as an automated call (reactivation.calls), not
    urgent, so quiet hours apply. A call costs no text segments: the spend cap counts texts."""
    call = call_queue(
        to=volunteer.phone,
        script="reactivation.campaign",
        subject=f"recipient:{row.pk}",
        dedupe_key=f"{campaign_key_prefix(campaign=campaign)}{volunteer.pk}:call",
        purpose="campaign_call",
        volunteer=volunteer,
        language=volunteer.preferred_language,
        urgent=False,
    )
    if call is None:
        row.state, row.reason = CampaignRecipient.State.SKIPPED, LEFT_OUT["opted_out"]
        row.save(update_fields=["state", "reason"])
        return "skipped"
    row.state, row.messaged_at = CampaignRecipient.State.MESSAGED, now
    row.save(update_fields=["state", "messaged_at"])
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


def recipient_rows(
    campaign: Campaign, plan: Plan, *, known: Collection[int] = (), last_rank: int = 0
) -> list[CampaignRecipient]:
    """One row per person of ``plan`` not in ``known``: those to text, ranked after ``last_rank``
    and waiting for a wave; those left out, with the reason (outside the organisation's council
    areas, opted out...). The start writes a plan's rows; a wider circle adds its new ring's."""
    new = [p for p in plan.included if p.volunteer_id not in known]
    return [
        CampaignRecipient(
            campaign=campaign,
            volunteer_id=p.volunteer_id,
            group_id=p.group_id,
            kind=p.kind,
            rank=last_rank + i,
            distance_km=p.distance_km,
            wave=0,
        )
        for i, p in enumerate(new, start=1)
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
        if x.volunteer_id not in known
    ]


def _widen(campaign: Campaign, *, rules: WaveRules, ready_total: int, target: int) -> bool:
    """Escalation: when the playbook allows it and too few have said READY, the circle the waves
    reach widens one step (never past the playbook's limit) and the people in the new ring join
    the queue after everyone already in it; those outside the organisation's council areas are
    left out by the plan, as at the start. True when it widened. Claimed by a conditional UPDATE
    on ``reach_km``: two workers widen once."""
    if campaign.reach_km is None or campaign.area.get("radius_km") is None:
        return False
    wider = reach_next(
        rules=rules,
        reach_km=campaign.reach_km,
        ready_total=ready_total,
        target=target,
        limit_km=CELL_SIDES_KM[-1],
    )
    if wider is None:
        return False
    area = area_resolve(area={**campaign.area, "radius_km": wider}, organisation=campaign.organisation)
    plan = plan_build(
        version=campaign.playbook_version,
        organisation=campaign.organisation,
        area=area,
        language=campaign.language,
        target_ready=campaign.target_ready,
        exclude_campaign_id=campaign.pk,
    )
    with transaction.atomic():
        if not Campaign.objects.filter(pk=campaign.pk, reach_km=campaign.reach_km).update(reach_km=wider):
            return False
        rows = CampaignRecipient.objects.filter(campaign=campaign)
        known = set(rows.values_list("volunteer_id", flat=True))
        last_rank = rows.aggregate(m=Max("rank"))["m"] or 0
        CampaignRecipient.objects.bulk_create(
            recipient_rows(campaign, plan, known=known, last_rank=last_rank),
            batch_size=1000,
            ignore_conflicts=True,
        )
    campaign.reach_km = wider
    return True


def campaign_advance(*, campaign_id: int) -> str:
    """One step of a running campaign; the scheduler calls it every minute and READY replies
    call it at once. Finishes sending the current wave, ends the campaign when the target is
    reached, and after the wave's wait sends the next, right-sized wave. Safe to run twice."""
    campaign = Campaign.objects.select_related("playbook_version", "organisation").get(pk=campaign_id)
    if campaign.status != Campaign.Status.RUNNING:
        return f"not running ({campaign.status})"
    opted_out_mark(campaign=campaign)  # a STOP since the last step is its own state, not "no answer"
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
    widened = bool(campaign.current_wave) and _widen(
        campaign, rules=rules, ready_total=ready_total, target=target
    )
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
        widened=widened,
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
