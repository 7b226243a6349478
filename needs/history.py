"""The history of closed needs (done, cancelled, expired) of a staff member's organisations:
reads for the page and its CSV export, and the export's audit line. A requester's details go only
where ``can_see_requester`` lets them (the posting organisation's coordinators; nobody after an
erasure)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from needs.models import Need
from needs.permissions import User, can_see_requester
from volunteers.permissions import is_superuser, organisation_ids_for
from volunteers.phones import phone_display
from volunteers.services import audit_record


@dataclass(frozen=True)
class ClosedSearch:
    query: str = ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None


def closed_needs_for(*, user: User | None, search: ClosedSearch) -> QuerySet[Need]:
    """Closed needs of every organisation ``user`` works for (any role), latest closed first."""
    needs = Need.objects.filter(status__in=Need.CLOSED_STATUSES)
    if not is_superuser(user):
        needs = needs.filter(organisation_id__in=sorted(organisation_ids_for(user=user)))
    needs = needs.annotate(closed_at=Coalesce("done_at", "cancelled_at", "expired_at", "updated_at"))
    if search.query:
        q = search.query.strip()
        needs = needs.filter(
            Q(ref__iexact=q) | Q(summary__icontains=q) | Q(postcode__istartswith=q) | Q(category__iexact=q)
        )
    if search.status:
        needs = needs.filter(status=search.status)
    if search.date_from:
        needs = needs.filter(closed_at__date__gte=search.date_from)
    if search.date_to:
        needs = needs.filter(closed_at__date__lte=search.date_to)
    return needs.select_related("organisation", "local_authority", "assigned_volunteer").order_by(
        "-closed_at", "-pk"
    )


CSV_HEADER = [
    "ref",
    "organisation",
    "category",
    "summary",
    "how it ended",
    "posted",
    "closed",
    "local authority",
    "postcode district",
    "volunteer who helped",
    "requester name",
    "requester phone",
    "requester address",
]


def _district(postcode: str) -> str:
    return postcode.split(" ")[0] if postcode else ""


def closed_needs_rows(*, user: User | None, needs: Iterable[Need]) -> Iterator[list[str]]:
    """The export's rows: the header, then one per need. The requester's columns are empty unless
    ``user`` may see that need's requester (and they were not erased)."""
    yield CSV_HEADER
    for need in needs:
        requester = can_see_requester(need=need, user=user)
        closed_at = getattr(need, "closed_at", None)  # annotated by closed_needs_for
        yield [
            need.ref,
            need.organisation.name,
            need.get_category_display(),
            need.summary,
            need.get_status_display(),
            f"{need.created_at:%Y-%m-%d %H:%M}",
            f"{closed_at:%Y-%m-%d %H:%M}" if closed_at else "",
            need.local_authority.name if need.local_authority else "",
            _district(need.postcode),
            need.assigned_volunteer.name if need.assigned_volunteer else "",
            need.requester_name if requester else "",
            phone_display(need.requester_phone) if requester and need.requester_phone else "",
            need.requester_address if requester else "",
        ]


def closed_needs_export_record(*, user: User | None, needs: list[Need]) -> None:
    """One audit line per export: how many needs, and whose requester details it carried."""
    with_requester = [n.pk for n in needs if can_see_requester(need=n, user=user)]
    audit_record(
        actor=user,
        action="needs.closed.export",
        detail={"needs": len(needs), "requester_need_ids": with_requester},
    )
