"""Reads of needs and offers."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from needs.models import Need
from volunteers.models import Organisation


def open_need_counts_by_local_authority() -> dict[int | None, int]:
    """Needs not yet closed, keyed by local authority id (None for needs outside any)."""
    rows = (
        Need.objects.exclude(status__in=Need.CLOSED_STATUSES)
        .values("local_authority")
        .annotate(n=Count("id"))
    )
    return {row["local_authority"]: row["n"] for row in rows}


def needs_for_organisations(
    *, organisations: QuerySet[Organisation], open_only: bool = True
) -> QuerySet[Need]:
    qs = Need.objects.filter(organisation__in=organisations).select_related("organisation", "local_authority")
    if open_only:
        qs = qs.filter(~Q(status__in=Need.CLOSED_STATUSES))
    return qs
