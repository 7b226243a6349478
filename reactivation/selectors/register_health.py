"""The region's register health, for the campaign managers of an infrastructure body: how fresh
every dormant group's contact is, local authority by local authority, and which groups a
readiness check sent now would ask. Group names and counts only: no person's details."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import QuerySet

from reactivation.models import ReadinessRound
from reactivation.selectors.register import GroupFreshness, register_freshness
from volunteers.models import LocalAuthority, MutualAidGroup, Organisation, StaffRole
from volunteers.permissions import User, is_superuser, organisation_ids_for

FRESHNESS_ORDER = ("fresh", "due", "never", "stale")
FRESHNESS_WORDS = {
    "fresh": "Confirmed recently",
    "due": "Due a check",
    "never": "Never confirmed",
    "stale": "Stale: missed two checks",
}
# A check sent now asks the groups whose contact is due or was never confirmed; a stale group's
# deputy is asked to take over by the daily cycle instead.
ASKABLE = ("due", "never")


@dataclass
class AuthorityHealth:
    local_authority: LocalAuthority
    groups: list[GroupFreshness] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    awaiting: ReadinessRound | None = None

    @property
    def total(self) -> int:
        return len(self.groups)

    @property
    def askable(self) -> list[GroupFreshness]:
        return [g for g in self.groups if g.freshness in ASKABLE and not g.open_check]

    @property
    def rows(self) -> list[dict[str, object]]:
        """The table of groups, with each contact's freshness in words."""
        return [
            {
                "name": g.group.name,
                "freshness": FRESHNESS_WORDS[g.freshness],
                "days": g.days_since_verified,
                "open_check": g.open_check,
            }
            for g in self.groups
        ]

    @property
    def bars(self) -> list[dict[str, object]]:
        """The chart: one bar per freshness, its share of the authority's dormant groups."""
        return [
            {
                "key": key,
                "label": FRESHNESS_WORDS[key],
                "count": self.counts[key],
                "percent": round(100 * self.counts[key] / self.total) if self.total else 0,
            }
            for key in FRESHNESS_ORDER
        ]


def health_organisations_for(*, user: User | None) -> QuerySet[Organisation]:
    """The infrastructure bodies whose register health the user reads: those where they are a
    campaign manager (every infrastructure body for a superuser)."""
    bodies = Organisation.objects.filter(kind=Organisation.Kind.INFRASTRUCTURE).prefetch_related(
        "local_authorities"
    )
    if is_superuser(user):
        return bodies
    return bodies.filter(pk__in=organisation_ids_for(user=user, roles={StaffRole.Role.CAMPAIGN_MANAGER}))


def register_health(*, organisation: Organisation) -> list[AuthorityHealth]:
    """Every dormant group of the local authorities ``organisation`` covers, with how fresh its
    contact is, by authority (alphabetical), each with the round awaiting approval, if any.
    A fixed number of queries whatever the number of groups."""
    authorities = sorted(organisation.local_authorities.all(), key=lambda la: la.name)
    by_id = {la.pk: AuthorityHealth(la) for la in authorities}
    dormant = MutualAidGroup.objects.filter(
        status=MutualAidGroup.Status.DORMANT, local_authority_id__in=list(by_id)
    ).order_by("name")
    for row in register_freshness(groups=dormant):
        health = by_id[row.group.local_authority_id]
        health.groups.append(row)
        health.counts[row.freshness] += 1
    for waiting in ReadinessRound.objects.filter(
        organisation=organisation, status=ReadinessRound.Status.AWAITING_APPROVAL
    ).select_related("requested_by"):
        if waiting.local_authority_id in by_id:
            by_id[waiting.local_authority_id].awaiting = waiting
    return list(by_id.values())
