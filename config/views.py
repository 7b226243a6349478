"""Pages that draw on every app: the home page and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from needs.selectors import needs_for_organisations, open_need_counts_by_local_authority
from needs.views import attention_for
from reactivation.selectors import register_freshness
from volunteers.models import MutualAidGroup
from volunteers.selectors import (
    organisations_for_user,
    register_counts_by_local_authority,
    roles_for_user,
)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    areas = register_counts_by_local_authority()
    open_needs = open_need_counts_by_local_authority()
    rows = [(area, open_needs.get(area.local_authority.id, 0)) for area in areas]
    widest = max([a.groups_active + a.groups_dormant + a.groups_reactivating for a in areas] + [1])
    organisations = organisations_for_user(user=request.user)
    context = {
        "rows": rows,
        "widest": widest,
        "totals": {
            "groups_active": sum(a.groups_active for a in areas),
            "groups_dormant": sum(a.groups_dormant for a in areas),
            "volunteers_active": sum(a.volunteers_active for a in areas),
            "open_needs": sum(n for _, n in rows),
        },
        "roles": roles_for_user(user=request.user),
        "my_needs": needs_for_organisations(organisations=organisations)[:20],
        "attention": attention_for(request.user),
        **_freshness(organisations),
    }
    return render(request, "dashboard.html", context)


# Worst first: a stale contact is the memory rotting; a group never checked is close behind.
FRESHNESS_ORDER = {"stale": 0, "never": 1, "due": 2, "fresh": 3}
FRESHNESS_WORDS = {
    "stale": "Stale: missed two checks",
    "never": "Never checked",
    "due": "Due a check",
    "fresh": "Fresh",
}


def _freshness(organisations) -> dict:
    """How fresh the contacts of the user's organisations' dormant groups are (the register must
    not rot silently between crises)."""
    groups = MutualAidGroup.objects.filter(
        organisation__in=organisations, status=MutualAidGroup.Status.DORMANT
    ).order_by("name")
    rows = sorted(
        register_freshness(groups=groups), key=lambda r: (FRESHNESS_ORDER[r.freshness], r.group.name)
    )
    counts = dict.fromkeys(FRESHNESS_ORDER, 0)
    for row in rows:
        counts[row.freshness] += 1
    return {
        "freshness_rows": [(row, FRESHNESS_WORDS[row.freshness]) for row in rows],
        "freshness_counts": counts,
    }
