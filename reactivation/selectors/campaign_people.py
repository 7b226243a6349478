"""Reads for a running campaign's page: who said READY (for those allowed to see them) and what is
held back and why. Counts need no permission; names do."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from messaging.models import OptOut, OutboundMessage
from messaging.timing import LONDON
from reactivation.models import Campaign, CampaignRecipient
from reactivation.permissions import can_manage_campaign
from reactivation.selectors.campaigns import deployed_volunteer_ids
from volunteers.permissions import User, volunteers_with_visible_contact

S = CampaignRecipient.State
PAUSED_REASON = "Held: the campaign was paused"  # the withdrawal reason campaign_pause gives


@dataclass(frozen=True)
class ReadyPerson:
    name: str
    group: str
    local_authority: str
    said_ready_at: Any
    phone: str  # empty when the viewer may not see their contact
    deployed: bool
    stood_down: bool


def can_see_ready_names(*, user: User | None, campaign: Campaign) -> bool:
    """The names of those who said READY are for the campaign managers and coordinators of the
    organisation running it (who will call on them); its viewers see the counts."""
    return can_manage_campaign(user=user, organisation_id=campaign.organisation_id)


def campaign_ready_people(*, campaign: Campaign, user: User | None, limit: int = 500) -> list[ReadyPerson]:
    """Who said READY, first answers first; a phone only where the viewer may see the person's
    contact (volunteers.permissions). Empty for anyone who may not see the names. The caller
    audits the read."""
    if not can_see_ready_names(user=user, campaign=campaign):
        return []
    rows = list(
        CampaignRecipient.objects.filter(campaign=campaign, state=S.READY)
        .select_related("volunteer__local_authority", "group")
        .prefetch_related("volunteer__memberships__group")
        .order_by("responded_at", "pk")[:limit]
    )
    contact = volunteers_with_visible_contact(user=user, volunteers=[r.volunteer for r in rows])
    deployed = deployed_volunteer_ids(campaign=campaign) if rows else set()
    return [
        ReadyPerson(
            name=r.volunteer.name,
            group=r.group.name if r.group else "",
            local_authority=r.volunteer.local_authority.name if r.volunteer.local_authority else "",
            said_ready_at=r.responded_at,
            phone=r.volunteer.phone if r.volunteer_id in contact else "",
            deployed=r.volunteer_id in deployed,
            stood_down=r.stood_down_id is not None,
        )
        for r in rows
    ]


def _held_in_outbox(campaign: Campaign) -> list[dict[str, Any]]:
    """Texts of the campaign the outbox holds for later (quiet hours, the bulk brake) or that a
    pause took back (one query)."""
    now = timezone.now()
    waiting = Q(
        message__state__in=(OutboundMessage.State.QUEUED, OutboundMessage.State.ERRORED),
        message__send_after__gt=now,
    )
    paused = Q(message__state=OutboundMessage.State.CANCELLED, message__error_message=PAUSED_REASON)
    counts = CampaignRecipient.objects.filter(campaign=campaign, state=S.MESSAGED).aggregate(
        waiting=Count("pk", filter=waiting),
        until=Max("message__send_after", filter=waiting),
        paused=Count("pk", filter=paused),
    )
    held = []
    if counts["waiting"]:
        until = counts["until"].astimezone(LONDON).strftime("%H:%M")
        held.append(
            {
                "count": counts["waiting"],
                "why": f"Quiet hours: held in the outbox until {until}, when they go by themselves",
            }
        )
    if counts["paused"]:
        held.append(
            {"count": counts["paused"], "why": "Paused: taken back from the outbox; they go if you resume"}
        )
    return held


def campaign_holds(*, campaign: Campaign) -> list[dict[str, Any]]:
    """What is held back and why, in plain words, with counts: texts waiting for quiet hours to
    end or taken back by a pause, people asked to renew consent before they are called, people
    not yet reached by a wave, and those left out (opted out, unreachable, texted by another
    campaign...) with each reason. A fixed number of queries."""
    held = _held_in_outbox(campaign)
    rows = CampaignRecipient.objects.filter(campaign=campaign)
    years = round(settings.REACTIVATION_CONSENT_MAX_AGE_DAYS / 365, 1)
    counts = rows.aggregate(
        reconsent=Count("pk", filter=Q(kind=CampaignRecipient.Kind.RECONSENT, state=S.MESSAGED)),
        pending=Count("pk", filter=Q(state=S.PENDING, wave=0)),
        opted=Count(
            "pk",
            filter=Q(state__in=(S.MESSAGED, S.NO_ANSWER))
            & Q(Exists(OptOut.objects.filter(phone=OuterRef("volunteer__phone")))),
        ),
        opted_row=Count("pk", filter=Q(state=S.OPTED_OUT)),
    )
    if counts["reconsent"]:
        held.append(
            {
                "count": counts["reconsent"],
                "why": f"Consent too old (over {years:g} years) or never recorded: asked to renew it "
                "first, and called only if they reply READY",
            }
        )
    if counts["opted"] + counts["opted_row"]:
        held.append(
            {
                "count": counts["opted"] + counts["opted_row"],
                "why": "Opted out during the campaign (texted STOP): nothing more goes to them",
            }
        )
    if counts["pending"] and campaign.status in (Campaign.Status.RUNNING, Campaign.Status.PAUSED):
        held.append({"count": counts["pending"], "why": "Not texted yet: waiting for a later wave"})
    reasons = Counter(dict(rows.filter(state=S.SKIPPED).values_list("reason").annotate(n=Count("pk"))))
    held += [{"count": n, "why": f"Left out: {why}"} for why, n in reasons.most_common()]
    return held
