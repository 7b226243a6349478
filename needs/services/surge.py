"""Surge mode, the write side: send every offer of a surge plan in one go.

Each offer goes through the single-offer path (needs.services.offers.offer_make_to: the same rules
checked again now, the same text, link, outbox and expiry), so a surge's offers then behave as any
other: the first YES wins, an offer runs out and the need is offered to the next best.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from needs.models import Need, Offer
from needs.permissions import User, can_manage_need
from needs.services.offers import offer_make_to
from needs.surge import CANDIDATES_PER_NEED, SURGE_MAX_NEEDS


@dataclass
class SurgeOutcome:
    offered: list[tuple[Need, str]] = field(default_factory=list)  # (need, the volunteer's name)
    offers: list[Offer] = field(default_factory=list)
    skipped: list[tuple[Need, str]] = field(default_factory=list)  # (need, why, in plain words)


def surge_send(*, pairs: Iterable[tuple[int, int]], actor: User) -> SurgeOutcome:
    """Offer each need of ``pairs`` (need id, volunteer id) to its volunteer. Every need must be one
    ``actor`` manages (PermissionDenied otherwise, before anything is sent). A need no longer
    waiting, or a volunteer who can no longer take it, is skipped and said why."""
    wanted = dict(list(pairs)[:SURGE_MAX_NEEDS])
    needs = list(
        Need.objects.filter(pk__in=wanted)
        .select_related("organisation", "local_authority")
        .order_by("created_at", "id")
    )
    if any(not can_manage_need(user=actor, need=n) for n in needs):
        raise PermissionDenied("Only a coordinator of the posting organisation may offer its needs.")
    outcome = SurgeOutcome()
    for need in needs:
        if need.status != Need.Status.OPEN:
            outcome.skipped.append((need, f"it is {need.get_status_display().lower()} now"))
            continue
        offer = offer_make_to(
            need=need, volunteer_id=wanted[need.pk], actor=actor, pool=CANDIDATES_PER_NEED * 2
        )
        if offer is None:
            outcome.skipped.append(
                (need, "the volunteer proposed can no longer take it: offer it from its page")
            )
        else:
            outcome.offered.append((need, offer.volunteer.name))
            outcome.offers.append(offer)
    return outcome
