"""Pages that draw on every app: the home page, and the health endpoints for monitors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from needs.selectors import needs_for_organisations, open_need_counts_by_local_authority
from needs.services.attention import attention_show
from operations.health import FAIL, health_run
from reactivation.selectors.register import register_freshness
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
        "attention": attention_show(user=request.user),
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


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For monitoring: one entry per check; 503 when any fails (see operations/health.py)."""
    checks = health_run()
    failing = any(c.status == FAIL for c in checks)
    return JsonResponse(
        {
            "status": "failing" if failing else "ok",
            "checks": {c.name: {"status": c.status.lower(), "detail": c.reason} for c in checks},
        },
        status=503 if failing else 200,
    )


@never_cache
def healthz_live(request: HttpRequest) -> JsonResponse:
    """For a load balancer: this process serves and reaches its database (one `SELECT 1`). A
    stopped worker must not take the web pages out of rotation; /healthz/ reports it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
