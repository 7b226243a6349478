"""Campaign pages and the coverage-gap map (filled in below as the campaign services land)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from reactivation.models import Campaign
from volunteers.permissions import is_superuser, organisation_ids_for


def _campaigns_for(user):
    qs = Campaign.objects.select_related("organisation", "playbook_version__playbook")
    if is_superuser(user):
        return qs
    return qs.filter(organisation_id__in=organisation_ids_for(user=user))


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "reactivation/campaign_list.html", {"campaigns": _campaigns_for(request.user)[:100]}
    )


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    return render(request, "reactivation/coverage.html", {})
