"""Pages that draw on every app: the home page and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from needs.selectors import needs_for_organisations, open_need_counts_by_local_authority
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
    }
    return render(request, "dashboard.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
