"""Pages that draw on every app: the home page, the coordinators' audit log, and the health
endpoints for monitors."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from needs.selectors import needs_for_organisations, needs_visible_to, open_need_counts_by_local_authority
from needs.services.attention import attention_show
from operations.audit_log import (
    PAGE_SIZE,
    audit_actions_for,
    audit_events_for,
    audit_lines,
    audit_organisation_ids,
)
from operations.health import FAIL, health_run
from operations.register_words import FRESHNESS_ORDER, FRESHNESS_WORDS
from reactivation.selectors.register import register_freshness
from volunteers.models import MutualAidGroup
from volunteers.permissions import COORDINATOR
from volunteers.register import register_totals
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
        # Counted over what the linked lists show (the person's organisations), so they agree.
        "totals": {
            **register_totals(user=request.user),
            "open_needs": needs_visible_to(user=request.user).count(),
        },
        "region_open_needs": sum(open_needs.values()),
        "roles": roles_for_user(user=request.user),
        "my_needs": needs_for_organisations(organisations=organisations)[:20],
        "attention": attention_show(user=request.user),
        **_freshness(organisations),
    }
    return render(request, "dashboard.html", context)


class AuditSearchForm(forms.Form):
    # A text field shown as a list: an action with no line yet is a search that finds nothing.
    action = forms.CharField(label="What was done", required=False, max_length=60, widget=forms.Select)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    organisation = forms.ChoiceField(label="Organisation", required=False)

    def __init__(self, *args, actions, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        action = cast(forms.Select, self.fields["action"].widget)
        organisation = cast(forms.ChoiceField, self.fields["organisation"])
        action.choices = [("", "Anything"), *actions]
        organisation.choices = [("", "All of mine"), *((str(o.pk), o.name) for o in organisations)]


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log of the organisations the person coordinates: searchable, a page at a time."""
    if audit_organisation_ids(user=request.user) == set():
        raise PermissionDenied("The audit log is for coordinators.")
    organisations = list(organisations_for_user(user=request.user, roles={COORDINATOR}))
    form = AuditSearchForm(
        request.GET or None, actions=audit_actions_for(user=request.user), organisations=organisations
    )
    form.is_valid()  # what is valid is used; a bad date is said on the page and left out
    search = getattr(form, "cleaned_data", {})
    events = audit_events_for(
        user=request.user,
        action=search.get("action") or "",
        date_from=search.get("date_from"),
        date_to=search.get("date_to"),
        organisation_id=int(search["organisation"]) if search.get("organisation") else None,
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "lines": audit_lines(page.object_list),
        "query": query.urlencode(),
        "several": len(organisations) > 1,
    }
    return render(request, "operations/audit_log.html", context)


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
