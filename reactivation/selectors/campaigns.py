"""Reads of campaigns: the lists, live progress, the figures of an after-action review and the
reply rate a campaign's waves are sized by."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from messaging.models import OptOut, OutboundMessage
from messaging.timing import LONDON
from needs.models import Offer
from reactivation.models import AfterActionReview, Campaign, CampaignRecipient, ReadinessCheck
from volunteers.models import Organisation
from volunteers.permissions import CAMPAIGN_MANAGER, User, is_superuser, organisation_ids_for
from volunteers.places import place_shown

S = CampaignRecipient.State
SENT_STATES = (OutboundMessage.State.SENT, OutboundMessage.State.UNKNOWN)
FAILED_STATES = (
    OutboundMessage.State.FAILED,
    OutboundMessage.State.UNDELIVERED,
    OutboundMessage.State.CANCELLED,
)
# The funnel column of each answer (or of its absence).
ANSWER_COLUMNS: dict[str, str] = {
    S.READY: "ready",
    S.NOT_NOW: "not_now",
    S.NO_ANSWER: "no_answer",
    S.MESSAGED: "awaiting",
    S.OPTED_OUT: "opted_out",
}
FUNNEL = (
    "queued",
    "sent",
    "delivered",
    "failed",
    "ready",
    "not_now",
    "opted_out",
    "no_answer",
    "awaiting",
    "deployed",
)


def reply_rate_for(*, local_authority_ids: list[int]) -> float:
    """The share of people who answered READY to earlier campaigns and readiness checks in these
    local authorities; the default (20%) when there is too little history to trust."""
    rows = CampaignRecipient.objects.exclude(messaged_at=None)
    checks = ReadinessCheck.objects.exclude(answer=ReadinessCheck.Answer.PENDING)
    if local_authority_ids:
        rows = rows.filter(volunteer__local_authority_id__in=local_authority_ids)
        checks = checks.filter(group__local_authority_id__in=local_authority_ids)
    r = rows.aggregate(n=Count("pk"), ready=Count("pk", filter=Q(state=S.READY)))
    c = checks.aggregate(n=Count("pk"), ready=Count("pk", filter=Q(answer=ReadinessCheck.Answer.READY)))
    asked, ready = r["n"] + c["n"], r["ready"] + c["ready"]
    if asked < settings.REACTIVATION_MIN_HISTORY:
        return settings.REACTIVATION_DEFAULT_REPLY_RATE
    return max(ready / asked, 0.01)


def _funnel() -> dict[str, int]:
    return dict.fromkeys(FUNNEL, 0)


Funnel = dict[str, int]


def deployed_volunteer_ids(*, campaign: Campaign) -> set[int]:
    """The campaign's people who answered READY and then accepted an offer (deployed): no query
    before the campaign starts."""
    if not campaign.started_at:
        return set()
    return set(
        Offer.objects.filter(
            status=Offer.Status.ACCEPTED,
            responded_at__gte=campaign.started_at,
            volunteer__campaign_rows__campaign=campaign,
            volunteer__campaign_rows__state=S.READY,
        ).values_list("volunteer_id", flat=True)
    )


def _deployed_rows(campaign: Campaign) -> list[Mapping[str, Any]]:
    """The deployed people counted by wave and local authority (no query before the campaign
    starts, one when nobody is deployed yet)."""
    deployed_ids = deployed_volunteer_ids(campaign=campaign)
    if not deployed_ids:
        return []
    return list(
        CampaignRecipient.objects.filter(campaign=campaign, volunteer_id__in=deployed_ids)
        .values("wave", "volunteer__local_authority__name")
        .annotate(n=Count("pk"))
    )


def _funnels_count(
    campaign: Campaign, held: dict[str, Any] | None = None
) -> tuple[Funnel, dict[int, Funnel], dict[str, Funnel]]:
    """The funnel of the people given a wave: in total, by wave and by local authority; and in
    ``held`` (when given) how many texts the outbox holds for later and until when, by the same
    query."""
    total: Funnel = _funnel()
    by_wave: dict[int, Funnel] = defaultdict(_funnel)
    by_la: dict[str, Funnel] = defaultdict(_funnel)

    def buckets(row: Mapping[str, Any]) -> tuple[Funnel, ...]:
        return total, by_wave[row["wave"]], by_la[row["volunteer__local_authority__name"] or "unknown"]

    deployed = _deployed_rows(campaign)
    # Texts still waiting in the outbox for a later time (quiet hours, the bulk brake).
    waiting = Q(
        message__state__in=(OutboundMessage.State.QUEUED, OutboundMessage.State.ERRORED),
        message__send_after__gt=timezone.now(),
    )
    texted = (
        CampaignRecipient.objects.filter(campaign=campaign)
        .exclude(state=S.SKIPPED)
        .exclude(wave=0)
        # A STOP not yet written on the row (the next step of the campaign does) counts already.
        .annotate(opted=Exists(OptOut.objects.filter(phone=OuterRef("volunteer__phone"))))
        .values("wave", "state", "volunteer__local_authority__name", "message__state", "opted")
        .annotate(
            n=Count("pk"),
            held=Count("pk", filter=waiting),
            held_until=Max("message__send_after", filter=waiting),
        )
    )
    held = held if held is not None else {}
    held.update(n=0, until=None)
    for row in texted:
        held["n"] += row["held"]
        if row["held_until"] and (held["until"] is None or row["held_until"] > held["until"]):
            held["until"] = row["held_until"]
        for bucket in buckets(row):
            state = (
                S.OPTED_OUT if row["opted"] and row["state"] in (S.MESSAGED, S.NO_ANSWER) else row["state"]
            )
            for key in _keys_for(state, row["message__state"]):
                bucket[key] += row["n"]
    for deployed_row in deployed:
        for bucket in buckets(deployed_row):
            bucket["deployed"] += deployed_row["n"]
    return total, by_wave, by_la


def campaign_progress(*, campaign: Campaign) -> dict[str, Any]:
    """Counts for the live progress bar: totals, per wave and per local authority, each with
    queued, sent, delivered, failed, READY, NOT NOW, no answer, awaiting and deployed. A fixed
    number of queries whatever the campaign's size."""
    held: dict[str, Any] = {}
    total, by_wave, by_la = _funnels_count(campaign, held)
    states: dict[str, int] = dict(
        CampaignRecipient.objects.filter(campaign=campaign).values_list("state").annotate(n=Count("pk"))
    )
    contacted = total["queued"] + total["sent"] + total["delivered"] + total["failed"]
    target = campaign.dry_run_report.get("target_ready") or 0
    return {
        "campaign": campaign.pk,
        "status": campaign.status,
        "current_wave": campaign.current_wave,
        "target_ready": target,
        "ready": total["ready"],
        "percent_of_target": round(100 * min(total["ready"], target) / target) if target else 0,
        "contacted": contacted,
        # Of those, texts quiet hours still hold (counted as texted, but not on anyone's phone yet).
        "held": held["n"],
        "held_until": held["until"].astimezone(LONDON).strftime("%H:%M") if held["until"] else "",
        "planned": campaign.dry_run_report.get("contact_total", 0),
        "waiting_for_a_wave": states.get(S.PENDING, 0),
        "left_out": states.get(S.SKIPPED, 0),
        "spent_pence": campaign.spent_pence,
        "spend_cap_pence": campaign.spend_cap_pence,
        "stop_reason": campaign.stop_reason,
        "totals": total,
        "by_state": {state: states.get(state, 0) for state in S.values},
        "by_wave": [{"wave": w, **c} for w, c in sorted(by_wave.items())],
        "by_local_authority": [{"local_authority": n, **c} for n, c in sorted(by_la.items())],
    }


def _keys_for(state: str, message_state: str | None) -> list[str]:
    """Which funnel columns a recipient row counts in: one for the message, one for the answer."""
    keys = []
    if state == S.PENDING:
        return ["queued"]  # given a wave, about to be handed to the outbox (e.g. after re-consent)
    if message_state in (
        OutboundMessage.State.QUEUED,
        OutboundMessage.State.SENDING,
        OutboundMessage.State.ERRORED,
    ):
        keys.append("queued")
    elif message_state == OutboundMessage.State.DELIVERED:
        keys.append("delivered")
    elif message_state in FAILED_STATES:
        keys.append("failed")
    elif message_state in SENT_STATES:
        keys.append("sent")
    answer = ANSWER_COLUMNS.get(state)
    if answer:
        keys.append(answer)
    return keys


def campaign_figures(*, campaign: Campaign) -> dict[str, Any]:
    """The numbers an after-action review records, computed, never typed in."""
    progress = campaign_progress(campaign=campaign)
    totals = progress["totals"]
    contacted = progress["contacted"]
    duration = None
    if campaign.started_at:
        duration = round(
            ((campaign.finished_at or timezone.now()) - campaign.started_at).total_seconds() / 3600, 1
        )
    return {
        "playbook_version": campaign.playbook_version.number,
        "area": campaign.area,
        "waves": campaign.current_wave,
        "contacted": contacted,
        "delivered": totals["delivered"],
        "failed": totals["failed"],
        "ready": totals["ready"],
        "not_now": totals["not_now"],
        "opted_out": totals["opted_out"],
        "no_answer": totals["no_answer"] + totals["awaiting"],
        "deployed": totals["deployed"],
        "ready_rate": round(totals["ready"] / contacted, 3) if contacted else 0.0,
        "target_ready": progress["target_ready"],
        "left_out": progress["left_out"],
        "reconsent_asked": CampaignRecipient.objects.filter(campaign=campaign, responded_at__isnull=False)
        .filter(Q(kind=CampaignRecipient.Kind.RECONSENT) | Q(message__purpose="campaign_reconsent"))
        .count(),
        "spent_pence": campaign.spent_pence,
        "spend_cap_pence": campaign.spend_cap_pence,
        "hours": duration,
        "stop_reason": campaign.stop_reason,
        "by_wave": progress["by_wave"],
    }


def campaigns_visible_to(*, user: User | None) -> QuerySet[Campaign]:
    """The campaigns of the organisations the user works for (all of them for a superuser),
    newest first, with what a list of them shows."""
    campaigns = Campaign.objects.select_related(
        "playbook_version__playbook", "organisation", "created_by", "approved_by"
    ).order_by("-created_at", "-id")
    if is_superuser(user):
        return campaigns
    return campaigns.filter(organisation_id__in=organisation_ids_for(user=user))


def campaign_get(*, campaign_id: int) -> Campaign | None:
    """One campaign with the people and playbook its page names, or None."""
    return (
        Campaign.objects.select_related(
            "organisation", "playbook_version__playbook", "created_by", "approved_by"
        )
        .filter(pk=campaign_id)
        .first()
    )


def campaign_map_points(*, campaign: Campaign, limit: int = 2000) -> list[dict[str, Any]]:
    """Where the campaign's people are, approximately (each at the centre of their cell: enough for
    a map of the response, never a home), with the state of each; those left out are not shown."""
    rows = (
        CampaignRecipient.objects.filter(
            campaign=campaign, volunteer__latitude__isnull=False, volunteer__longitude__isnull=False
        )
        .exclude(state=S.SKIPPED)
        .values_list("volunteer__latitude", "volunteer__longitude", "state")[:limit]
    )
    points = []
    for lat, lon, state in rows:
        shown_lat, shown_lon = place_shown(lat, lon, exact=False)
        if shown_lat is not None:
            points.append({"lat": shown_lat, "lon": shown_lon, "kind": state})
    return points


def after_action_review_for(*, campaign: Campaign) -> AfterActionReview | None:
    return AfterActionReview.objects.filter(campaign=campaign).first()


def campaign_organisations_for(*, user: User | None) -> list[Organisation]:
    """The organisations the user may run campaigns for (as a campaign manager), each with the
    local authorities it covers; no query beyond the user's roles when there is none."""
    ids = organisation_ids_for(user=user, roles={CAMPAIGN_MANAGER})
    if not ids:
        return []
    return list(Organisation.objects.filter(id__in=ids).prefetch_related("local_authorities"))
