"""The surge page: pick many open needs, see who Rekindle proposes for each (a list and a map, with
the distance saved against first come, first served), and send every offer with one button."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from needs.forms import SurgeFilterForm
from needs.permissions import organisations_user_can_post_for
from needs.selectors import offers_made_note, organisations_to_post_for
from needs.services.surge import surge_send
from needs.surge import SurgePlan, surge_needs, surge_plan
from needs.views import tile_url
from volunteers.models import LocalAuthority
from volunteers.places import place_shown


def _surge_markers(plan: SurgePlan) -> dict:
    """Each need at the centre of its cell (as on the needs list): green with a volunteer, red without."""
    markers = []
    for row in plan.rows:
        lat, lon = place_shown(row.need.latitude, row.need.longitude, exact=False)
        if lat is None:
            continue
        if row.volunteer_id is not None:
            detail = f"To {row.volunteer_name}, {row.distance_km:.1f} km away"
        else:
            detail = "Nobody proposed: " + row.why_not
        markers.append(
            {
                "lat": lat,
                "lon": lon,
                "label": f"{row.need.ref}: {row.need.summary}",
                "detail": detail,
                "url": f"/needs/{row.need.pk}/",
                "kind": "assigned" if row.volunteer_id is not None else "open",
            }
        )
    return {"markers": markers}


def _pairs(request: HttpRequest) -> list[tuple[int, int]]:
    pairs = []
    for value in request.POST.getlist("pair"):
        need_id, _, volunteer_id = value.partition(":")
        if need_id.isdigit() and volunteer_id.isdigit():
            pairs.append((int(need_id), int(volunteer_id)))
    return pairs


@login_required
def surge(request: HttpRequest) -> HttpResponse:
    if not organisations_user_can_post_for(user=request.user):
        raise PermissionDenied("Only coordinators can offer many needs at once.")
    if request.method == "POST":
        outcome = surge_send(pairs=_pairs(request), actor=request.user)
        note = offers_made_note(offers=outcome.offers, names=False) if outcome.offers else ""
        return render(request, "needs/surge_sent.html", {"outcome": outcome, "texts_note": note})
    organisations = list(organisations_to_post_for(user=request.user))
    areas = LocalAuthority.objects.filter(organisations__in=organisations).distinct().order_by("name")
    form = SurgeFilterForm(request.GET or None, organisations=organisations, local_authorities=areas)
    filters = form.cleaned_data if form.is_valid() else {}
    needs = surge_needs(
        user=request.user,
        organisation_id=filters.get("organisation"),
        local_authority_id=filters.get("local_authority"),
        district=filters.get("district") or "",
        category=filters.get("category") or "",
        urgency=filters.get("urgency") or "",
    )
    plan = surge_plan(needs=needs)
    return render(
        request,
        "needs/surge.html",
        {
            "form": form,
            "plan": plan,
            "markers_json": _surge_markers(plan),
            "tile_url": tile_url(),
            "several_organisations": len(organisations) > 1,
        },
    )
