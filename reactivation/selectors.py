"""Reads for reactivation: campaign progress and figures, reply rates, the register's freshness
and coverage gaps. No writes here: see reactivation/services/."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from messaging.models import OutboundMessage
from needs.models import Need, Offer
from reactivation.models import Campaign, CampaignRecipient, Playbook, PlaybookVersion, ReadinessCheck
from volunteers.geography import cell_block, haversine_km
from volunteers.models import MutualAidGroup, Volunteer
from volunteers.permissions import User, is_superuser, organisation_ids_for

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
}
FUNNEL = ("queued", "sent", "delivered", "failed", "ready", "not_now", "no_answer", "awaiting", "deployed")


def playbook_versions(*, playbook: Playbook) -> QuerySet[PlaybookVersion]:
    """Every version, newest first; old ones stay readable for the campaigns that ran them."""
    return playbook.versions.select_related("created_by").order_by("-number")


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


def _deployed_rows(campaign: Campaign) -> list[Mapping[str, Any]]:
    """The campaign's people who answered READY and then accepted an offer, counted by wave and
    local authority (no query before the campaign starts, one when nobody is deployed yet)."""
    if not campaign.started_at:
        return []
    deployed_ids = set(
        Offer.objects.filter(
            status=Offer.Status.ACCEPTED,
            responded_at__gte=campaign.started_at,
            volunteer__campaign_rows__campaign=campaign,
            volunteer__campaign_rows__state=S.READY,
        ).values_list("volunteer_id", flat=True)
    )
    if not deployed_ids:
        return []
    return list(
        CampaignRecipient.objects.filter(campaign=campaign, volunteer_id__in=deployed_ids)
        .values("wave", "volunteer__local_authority__name")
        .annotate(n=Count("pk"))
    )


def _funnels_count(campaign: Campaign) -> tuple[Funnel, dict[int, Funnel], dict[str, Funnel]]:
    """The funnel of the people given a wave: in total, by wave and by local authority."""
    total: Funnel = _funnel()
    by_wave: dict[int, Funnel] = defaultdict(_funnel)
    by_la: dict[str, Funnel] = defaultdict(_funnel)

    def buckets(row: Mapping[str, Any]) -> tuple[Funnel, ...]:
        return total, by_wave[row["wave"]], by_la[row["volunteer__local_authority__name"] or "unknown"]

    deployed = _deployed_rows(campaign)
    texted = (
        CampaignRecipient.objects.filter(campaign=campaign)
        .exclude(state=S.SKIPPED)
        .exclude(wave=0)
        .values("wave", "state", "volunteer__local_authority__name", "message__state")
        .annotate(n=Count("pk"))
    )
    for row in texted:
        for bucket in buckets(row):
            for key in _keys_for(row["state"], row["message__state"]):
                bucket[key] += row["n"]
    for deployed_row in deployed:
        for bucket in buckets(deployed_row):
            bucket["deployed"] += deployed_row["n"]
    return total, by_wave, by_la


def campaign_progress(*, campaign: Campaign) -> dict[str, Any]:
    """Counts for the live progress bar: totals, per wave and per local authority, each with
    queued, sent, delivered, failed, READY, NOT NOW, no answer, awaiting and deployed. A fixed
    number of queries whatever the campaign's size."""
    total, by_wave, by_la = _funnels_count(campaign)
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


@dataclass(frozen=True)
class GroupFreshness:
    group: MutualAidGroup
    freshness: str  # fresh | due | stale | never
    days_since_verified: int | None
    open_check: bool


def register_freshness(*, groups: QuerySet[MutualAidGroup] | None = None, now=None) -> list[GroupFreshness]:
    """How fresh each group's contact is, so the memory does not rot silently: fresh (verified
    within the check interval), due, stale (missed two checks) or never verified."""
    now = now or timezone.now()
    interval = settings.REACTIVATION_READINESS_INTERVAL_DAYS
    stale_after = settings.REACTIVATION_STALE_AFTER_MISSES
    groups = (
        groups if groups is not None else MutualAidGroup.objects.exclude(status=MutualAidGroup.Status.RETIRED)
    )
    groups = groups.select_related("local_authority").annotate(
        open_checks=Count(
            "readiness_checks", filter=Q(readiness_checks__answer=ReadinessCheck.Answer.PENDING)
        )
    )
    out = []
    for g in groups:
        days = (now - g.last_verified_at).days if g.last_verified_at else None
        if g.missed_checks >= stale_after:
            freshness = "stale"
        elif days is None:
            freshness = "never"
        elif days <= interval:
            freshness = "fresh"
        else:
            freshness = "due"
        out.append(GroupFreshness(g, freshness, days, bool(g.open_checks)))
    return out


@dataclass
class CoverageGap:
    cell: int
    latitude: float
    longitude: float
    local_authority: str
    open_needs: int
    active_volunteers: int
    dormant_volunteers: int
    active_groups: int
    score: float
    dormant_groups: list[dict[str, Any]] = field(default_factory=list)  # the suggested first wave


COVERAGE_LEVEL = 3  # 1.6 km cells: about a neighbourhood


@dataclass(frozen=True)
class _GroupPlace:
    group: MutualAidGroup
    latitude: float
    longitude: float

    def km_from(self, latitude: float, longitude: float) -> float:
        return haversine_km(latitude, longitude, self.latitude, self.longitude)


def _volunteers_by_cell(cf: str) -> dict[int, Mapping[str, Any]]:
    """Active and dormant volunteers in each cell (one query)."""
    return {
        r[cf]: r
        for r in Volunteer.objects.exclude(**{cf: None})
        .values(cf)
        .annotate(
            active=Count("pk", filter=Q(status=Volunteer.Status.ACTIVE)),
            dormant=Count("pk", filter=Q(status=Volunteer.Status.DORMANT)),
        )
    }


def _cells_with_open_needs(cf: str) -> dict[int, dict[str, Any]]:
    """Each cell with open needs: how many, where they are on average and their local authority."""
    cells: dict[int, dict[str, Any]] = {}
    for n in (
        Need.objects.filter(status__in=[Need.Status.OPEN, Need.Status.OFFERED])
        .exclude(**{cf: None})
        .values(cf, "latitude", "longitude", "local_authority__name")
    ):
        c = cells.setdefault(
            n[cf], {"needs": 0, "lat": 0.0, "lon": 0.0, "la": n["local_authority__name"] or ""}
        )
        c["needs"] += 1
        c["lat"] += n["latitude"]
        c["lon"] += n["longitude"]
    for c in cells.values():
        c["lat"] /= c["needs"]
        c["lon"] /= c["needs"]
    return cells


def _groups_on_the_map() -> list[_GroupPlace]:
    """Active, dormant and reactivating groups with a place (one query)."""
    groups = (
        MutualAidGroup.objects.exclude(latitude=None)
        .filter(
            status__in=[
                MutualAidGroup.Status.ACTIVE,
                MutualAidGroup.Status.DORMANT,
                MutualAidGroup.Status.REACTIVATING,
            ]
        )
        .select_related("local_authority")
    )
    return [
        _GroupPlace(g, g.latitude, g.longitude)
        for g in groups
        if g.latitude is not None and g.longitude is not None
    ]


def _busy_cells_without_needs(
    cf: str,
    *,
    vol_counts: dict[int, Mapping[str, Any]],
    cells: dict[int, dict[str, Any]],
    min_volunteers: int,
) -> dict[int, dict[str, Any]]:
    """Cells where at least ``min_volunteers`` live but no need is open, placed at the mean of
    their volunteers (one query, none when there is no such cell)."""
    busy = [
        k for k, r in vol_counts.items() if r["active"] + r["dormant"] >= min_volunteers and k not in cells
    ]
    if not busy:
        return {}
    return {
        r[cf]: {"needs": 0, "lat": r["lat"], "lon": r["lon"], "la": ""}
        for r in Volunteer.objects.filter(**{f"{cf}__in": busy})
        .values(cf)
        .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
    }


def _gap_at(
    key: int,
    c: dict[str, Any],
    *,
    level: int,
    vol_counts: dict[int, Mapping[str, Any]],
    groups: list[_GroupPlace],
) -> CoverageGap | None:
    """The gap at one cell, or None when it is covered: a working group is near and there are
    enough active hands within reach for its needs (or it has no need at all)."""
    # The mean of points in a cell lies in that cell, so its block is the cell's block.
    block = cell_block(c["lat"], c["lon"], level)
    active = sum(vol_counts[k]["active"] for k in block if k in vol_counts)
    dormant = vol_counts.get(key, {}).get("dormant", 0)
    covering = [p for p in groups if p.km_from(c["lat"], c["lon"]) <= p.group.radius_km + 1.0]
    active_groups = sum(1 for p in covering if p.group.status != MutualAidGroup.Status.DORMANT)
    if active_groups and c["needs"] <= active:
        return None  # covered: a working group and enough hands nearby
    score = c["needs"] - active / 3 + (0 if active_groups else 1) + dormant / 100
    if c["needs"] == 0 and active_groups:
        return None
    return CoverageGap(
        cell=key,
        latitude=round(c["lat"], 5),
        longitude=round(c["lon"], 5),
        local_authority=c["la"] or (covering[0].group.local_authority.name if covering else ""),
        open_needs=c["needs"],
        active_volunteers=active,
        dormant_volunteers=dormant,
        active_groups=active_groups,
        score=round(score, 2),
        dormant_groups=[
            {
                "id": p.group.pk,
                "name": p.group.name,
                "slug": p.group.slug,
                "distance_km": round(p.km_from(c["lat"], c["lon"]), 2),
            }
            for p in sorted(covering, key=lambda p: p.km_from(c["lat"], c["lon"]))
            if p.group.status == MutualAidGroup.Status.DORMANT
        ],
    )


def coverage_gaps(
    *, level: int = COVERAGE_LEVEL, limit: int = 50, min_volunteers: int = 20
) -> list[CoverageGap]:
    """Places (spatial cells of about 2 km) where open needs outstrip the active volunteers within
    reach, or where many volunteers live but no active group works: ranked worst first, each
    with the dormant groups whose area covers it (the suggested first wave).

    Volunteers "within reach" of a cell are those in it and the 8 cells around it."""
    cf = f"cell_{level}"
    vol_counts = _volunteers_by_cell(cf)
    cells = _cells_with_open_needs(cf)
    groups = _groups_on_the_map()
    # Cells with many volunteers but no open need are gaps too when no active group is there.
    cells.update(
        _busy_cells_without_needs(cf, vol_counts=vol_counts, cells=cells, min_volunteers=min_volunteers)
    )
    gaps = [
        gap
        for key, c in cells.items()
        if (gap := _gap_at(key, c, level=level, vol_counts=vol_counts, groups=groups)) is not None
    ]
    gaps.sort(key=lambda g: (-g.score, -g.open_needs, g.cell))
    return gaps[:limit]


def campaigns_visible_to(*, user: User | None) -> QuerySet[Campaign]:
    """The campaigns of the organisations the user works for (all of them for a superuser),
    newest first, with what a list of them shows."""
    campaigns = Campaign.objects.select_related(
        "playbook_version__playbook", "organisation", "created_by", "approved_by"
    ).order_by("-created_at", "-id")
    if is_superuser(user):
        return campaigns
    return campaigns.filter(organisation_id__in=organisation_ids_for(user=user))
