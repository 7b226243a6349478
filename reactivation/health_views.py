"""The region's register health (for campaign managers of an infrastructure body): how fresh each
dormant group's contact is, by local authority, with a readiness check to send now."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from reactivation.models import ReadinessRound
from reactivation.selectors.register_health import health_organisations_for, register_health
from reactivation.services.readiness_rounds import readiness_round_approve, readiness_round_request
from reactivation.views import _errors, _signed_in


def _back(slug: str) -> HttpResponse:
    return redirect(f"{reverse('reactivation:register-health')}?{urlencode({'organisation': slug})}")


def _organisation(request: HttpRequest, slug: str | None):
    bodies = list(health_organisations_for(user=request.user))
    if not bodies:
        raise PermissionDenied("The register's health is for campaign managers of an infrastructure body.")
    chosen = next((o for o in bodies if o.slug == slug), None) if slug else bodies[0]
    if chosen is None:
        raise Http404("No such organisation")
    return chosen, bodies


@login_required
def register_health_page(request: HttpRequest) -> HttpResponse:
    organisation, bodies = _organisation(request, request.GET.get("organisation"))
    return render(
        request,
        "reactivation/register_health.html",
        {
            "organisation": organisation,
            "bodies": bodies,
            "authorities": register_health(organisation=organisation),
        },
    )


@login_required
@require_POST
def readiness_round_new(request: HttpRequest) -> HttpResponse:
    organisation, _ = _organisation(request, request.POST.get("organisation"))
    try:
        round_ = readiness_round_request(
            user=_signed_in(request),
            organisation=organisation,
            local_authority_id=int(request.POST.get("local_authority") or 0),
        )
    except (ValidationError, PermissionDenied, ValueError) as exc:
        for problem in _errors(exc):
            messages.error(request, problem)
    else:
        if round_.status == ReadinessRound.Status.SENT:
            messages.success(
                request,
                f"Sent: {round_.sent_count} readiness check{'s' if round_.sent_count != 1 else ''} "
                f"to the groups of {round_.local_authority.name}. Answers show here as they come in.",
            )
        else:
            messages.info(
                request,
                f"{len(round_.group_ids)} texts is above the limit one person may send: another campaign "
                f"manager of {organisation.name} must approve it.",
            )
    return _back(organisation.slug)


@login_required
@require_POST
def readiness_round_approval(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = ReadinessRound.objects.select_related("organisation", "local_authority").filter(pk=pk).first()
    if round_ is None or round_.organisation not in health_organisations_for(user=request.user):
        raise Http404("No such request")
    try:
        round_ = readiness_round_approve(user=_signed_in(request), round_=round_)
    except (ValidationError, PermissionDenied) as exc:
        for problem in _errors(exc):
            messages.error(request, problem)
    else:
        messages.success(
            request,
            f"Approved and sent: {round_.sent_count} readiness checks in {round_.local_authority.name}.",
        )
    return _back(round_.organisation.slug)
