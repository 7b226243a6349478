"""Surge mode, the read side: many open needs at once, and who Rekindle proposes for each.

Each need's candidates come from the same matcher as a single offer (every hard rule and the
workload cap); ``assignment_min_cost`` then gives the most needs a volunteer at the least total
travel, each volunteer taking at most one need of the surge. First come, first served (each need in
posting order takes its nearest volunteer still free) is worked out on the same candidates, so the
coordinator sees what the plan saves. Sending the plan is needs.services.surge.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import cast

from django.db.models import Q, QuerySet
from django.utils import timezone

from needs.matching.assignment import Edges, assignment_greedy, assignment_min_cost, assignment_total
from needs.matching.candidates import MatchResult, candidates_find
from needs.models import Need
from needs.permissions import User, organisations_user_can_post_for
from volunteers.models import Volunteer

# Candidates looked at per need: enough for the solver to swap people between near needs.
CANDIDATES_PER_NEED = 8
# At most this many needs in one surge (a page a coordinator can read before sending).
SURGE_MAX_NEEDS = 200


@dataclass
class SurgeRow:
    need: Need
    volunteer_id: int | None = None
    volunteer_name: str = ""
    distance_km: float | None = None
    why_not: str = ""  # for a need left without a volunteer, in plain words


@dataclass
class SurgePlan:
    rows: list[SurgeRow] = field(default_factory=list)
    total_km: float = 0.0
    greedy_km: float = 0.0
    greedy_assigned: int = 0

    @property
    def assigned(self) -> list[SurgeRow]:
        return [r for r in self.rows if r.volunteer_id is not None]

    @property
    def unassigned(self) -> list[SurgeRow]:
        return [r for r in self.rows if r.volunteer_id is None]

    @property
    def saved_km(self) -> float:
        return self.greedy_km - self.total_km


def surge_needs(
    *,
    user: User | None,
    organisation_id: int | None = None,
    local_authority_id: int | None = None,
    district: str = "",
    category: str = "",
    urgency: str = "",
) -> QuerySet[Need]:
    """The open needs nobody has been asked about yet, of the organisations where ``user``
    coordinates, narrowed by the filters given, oldest first (first come, first served)."""
    org_ids = organisations_user_can_post_for(user=user)
    if organisation_id is not None:
        org_ids = org_ids & {organisation_id}
    needs = Need.objects.filter(organisation_id__in=sorted(org_ids), status=Need.Status.OPEN).exclude(
        window_end__lte=timezone.now()
    )
    if local_authority_id is not None:
        needs = needs.filter(local_authority_id=local_authority_id)
    if district:
        district = district.strip().upper()
        needs = needs.filter(Q(postcode__istartswith=district + " ") | Q(postcode__iexact=district))
    if category:
        needs = needs.filter(category=category)
    if urgency:
        needs = needs.filter(urgency=urgency)
    return needs.select_related("organisation", "local_authority").order_by("created_at", "id")


def surge_plan(*, needs: Collection[Need]) -> SurgePlan:
    """The proposed assignment for ``needs`` (one matcher run each), with first come, first
    served on the same candidates for comparison."""
    needs = list(needs)[:SURGE_MAX_NEEDS]
    results: dict[int, MatchResult] = {
        n.pk: candidates_find(need=n, limit=CANDIDATES_PER_NEED) for n in needs
    }
    edges: Edges = {pk: [(c.volunteer_id, c.distance_km) for c in r.candidates] for pk, r in results.items()}
    best = {int(cast(int, n)): int(cast(int, v)) for n, v in assignment_min_cost(edges).items()}
    greedy = assignment_greedy(edges, [n.pk for n in needs])
    names = dict(Volunteer.objects.filter(pk__in=set(best.values())).values_list("pk", "name"))
    km = {
        (pk, vid): d
        for pk, r in results.items()
        for vid, d in ((c.volunteer_id, c.distance_km) for c in r.candidates)
    }
    plan = SurgePlan(
        total_km=sum(km[pair] for pair in best.items()),
        greedy_km=assignment_total(edges, greedy),
        greedy_assigned=len(greedy),
    )
    for need in needs:
        vid = best.get(need.pk)
        if vid is None:
            plan.rows.append(SurgeRow(need=need, why_not=_why_nobody(results[need.pk])))
        else:
            plan.rows.append(
                SurgeRow(
                    need=need,
                    volunteer_id=vid,
                    volunteer_name=names.get(vid, ""),
                    distance_km=km[(need.pk, vid)],
                )
            )
    return plan


def _why_nobody(result: MatchResult) -> str:
    if result.candidates:
        return "Everyone who could take it is the better choice for another need in this surge."
    words = f"Nobody who can take it is within {result.searched_km:.1f} km."
    if result.excluded:
        top = sorted(result.excluded.items(), key=lambda kv: -kv[1])[:3]
        words += (
            " Left out: "
            + "; ".join(f"{reason} ({n} {'person' if n == 1 else 'people'})" for reason, n in top)
            + "."
        )
    return words
