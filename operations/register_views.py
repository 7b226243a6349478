"""The register on the web (/groups/, /volunteers/) and the history of closed needs
(/needs/closed/): the groups, volunteers and past needs of the organisations a staff member works
for. Anyone with a role reads; a coordinator of the organisation corrects, pauses and resumes.
Other organisations see nothing of them. Views stay thin: validate, call one selector or service.
"""

from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from needs.history import ClosedSearch, closed_needs_export_record, closed_needs_for, closed_needs_rows
from operations.register_forms import (
    ClosedNeedSearchForm,
    GroupEditForm,
    GroupSearchForm,
    VolunteerEditForm,
    VolunteerSearchForm,
)
from operations.register_words import FRESHNESS_WORDS, LANGUAGE_NAMES, SKILL_NAMES, ago_words, names_of
from reactivation.selectors.register import groups_of_freshness, register_freshness_by_group
from volunteers.permissions import volunteers_with_visible_contact
from volunteers.phones import phone_display
from volunteers.places import place_shown
from volunteers.register import (
    GroupSearch,
    VolunteerSearch,
    register_group_for,
    register_groups,
    register_may_change_group,
    register_may_change_volunteer,
    register_reads,
    register_volunteer_for,
    register_volunteers,
)
from volunteers.register_services import (
    VOLUNTEER_FIELDS,
    group_update,
    register_contact_read_record,
    volunteer_pause_set,
    volunteer_update,
)

PAGE_SIZE = 25
NOT_STAFF = "The register is for the staff of an organisation."


def _reader(request: HttpRequest) -> None:
    if not register_reads(user=request.user):
        raise PermissionDenied(NOT_STAFF)


def _search(form) -> dict[str, Any]:
    form.is_valid()  # what is valid is used; a bad value is said on the page and left out
    return getattr(form, "cleaned_data", {})


def _page_context(request: HttpRequest, items) -> dict[str, Any]:
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "query": query.urlencode()}


# --- groups --------------------------------------------------------------------------------------
@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form = GroupSearchForm(request.GET or None)
    found = _search(form)
    area = found.get("local_authority")
    groups = register_groups(
        user=request.user,
        search=GroupSearch(
            query=found.get("q", ""),
            local_authority_id=area.pk if area else None,
            status=found.get("status", ""),
        ),
    )
    if found.get("freshness"):
        groups = groups_of_freshness(groups=groups, freshness=found["freshness"])
    context = _page_context(request, groups)
    fresh = register_freshness_by_group(groups=context["page"].object_list)
    rows = []
    for group in context["page"].object_list:
        row = fresh.get(group.pk)
        rows.append(
            {
                "group": group,
                "freshness": FRESHNESS_WORDS[row.freshness] if row else "",
                "level": row.freshness if row else "",
                "confirmed": ago_words(row.days_since_verified if row else None),
                "may_change": register_may_change_group(user=request.user, group=group),
            }
        )
    markers = [
        {
            "lat": g.latitude,
            "lon": g.longitude,
            "label": g.name,
            "detail": g.get_status_display(),
            "kind": g.status,
        }
        for g in context["page"].object_list
        if g.latitude is not None
    ]
    context.update(
        {"form": form, "rows": rows, "markers": {"markers": markers}, "tile_url": settings.LEAFLET_TILE_URL}
    )
    return render(request, "operations/register_groups.html", context)


@login_required
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    group = register_group_for(user=request.user, pk=pk)
    if group is None:
        raise Http404("No such group in your organisations.")
    if not register_may_change_group(user=request.user, group=group):
        raise PermissionDenied("Only a coordinator of the group's organisation corrects it.")
    initial = {f: getattr(group, f) for f in ("name", "kind", "local_authority", "radius_km", "notes")}
    form = GroupEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = group_update(group=group, actor=request.user, changes=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{group.name} is saved." if changed else "Nothing was changed.")
            return redirect("register-groups")
    return render(request, "operations/register_group_edit.html", {"form": form, "group": group})


# --- volunteers ----------------------------------------------------------------------------------
def _volunteer_rows(request: HttpRequest, volunteers: list) -> list[dict[str, Any]]:
    visible = volunteers_with_visible_contact(user=request.user, volunteers=volunteers)
    register_contact_read_record(actor=request.user, volunteer_ids=sorted(visible), path=request.path)
    rows = []
    for v in volunteers:
        seen = v.id in visible
        lat, lon = place_shown(v.latitude, v.longitude, exact=seen)
        rows.append(
            {
                "v": v,
                "phone": phone_display(v.phone) if seen else "",
                "where": v.postcode if seen else v.postcode.split(" ")[0],
                "skills": names_of(v.skills or [], SKILL_NAMES),
                "languages": names_of(v.languages or [], LANGUAGE_NAMES),
                "heard": ago_words(
                    None
                    if v.last_active_at is None
                    else (timezone.localdate() - v.last_active_at.date()).days
                ),
                "may_change": register_may_change_volunteer(user=request.user, volunteer=v),
                "point": (lat, lon),
            }
        )
    return rows


@login_required
def volunteer_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form = VolunteerSearchForm(request.GET or None)
    found = _search(form)
    area = found.get("local_authority")
    search = VolunteerSearch(
        query=found.get("q", ""),
        local_authority_id=area.pk if area else None,
        status=found.get("status", ""),
        skill=found.get("skill", ""),
        dbs=found.get("dbs", ""),
        heard=found.get("heard", ""),
    )
    context = _page_context(request, register_volunteers(user=request.user, search=search))
    rows = _volunteer_rows(request, list(context["page"].object_list))
    markers = [
        {
            "lat": r["point"][0],
            "lon": r["point"][1],
            "label": r["v"].name,
            "detail": r["v"].get_status_display(),
            "kind": "active" if r["v"].status == "active" else "dormant",
        }
        for r in rows
        if r["point"][0] is not None
    ]
    context.update(
        {"form": form, "rows": rows, "markers": {"markers": markers}, "tile_url": settings.LEAFLET_TILE_URL}
    )
    return render(request, "operations/register_volunteers.html", context)


def _changeable_volunteer(request: HttpRequest, pk: int):
    _reader(request)
    volunteer = register_volunteer_for(user=request.user, pk=pk)
    if volunteer is None:
        raise Http404("No such volunteer in your organisations' groups.")
    if not register_may_change_volunteer(user=request.user, volunteer=volunteer):
        raise PermissionDenied(
            "Only a coordinator of one of the volunteer's groups may change their details."
        )
    return volunteer


@login_required
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _changeable_volunteer(request, pk)
    form = VolunteerEditForm(
        request.POST or None, initial={f: getattr(volunteer, f) for f in VOLUNTEER_FIELDS}
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = volunteer_update(volunteer=volunteer, actor=request.user, changes=form.cleaned_data)
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"{volunteer.name} is saved." if changed else "Nothing was changed.")
            return redirect("register-volunteers")
    return render(request, "operations/register_volunteer_edit.html", {"form": form, "volunteer": volunteer})


@login_required
@require_POST
def volunteer_pause(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _changeable_volunteer(request, pk)
    paused = request.POST.get("action") == "pause"
    transition = volunteer_pause_set(volunteer=volunteer, actor=request.user, paused=paused)
    if transition.after == volunteer.Status.OPTED_OUT:
        messages.info(
            request, f"{volunteer.name} has opted out (STOP): only they can opt back in, by texting START."
        )
    elif paused:
        messages.success(request, f"{volunteer.name} is paused: no offers or call-outs until resumed.")
    else:
        messages.success(request, f"{volunteer.name} is active again and can be offered needs.")
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/volunteers/") else "register-volunteers")


# --- closed needs --------------------------------------------------------------------------------
def _closed(request: HttpRequest):
    _reader(request)
    form = ClosedNeedSearchForm(request.GET or None)
    found = _search(form)
    search = ClosedSearch(
        query=found.get("q", ""),
        status=found.get("status", ""),
        date_from=found.get("date_from"),
        date_to=found.get("date_to"),
    )
    return form, closed_needs_for(user=request.user, search=search)


@login_required
def closed_needs(request: HttpRequest) -> HttpResponse:
    form, needs = _closed(request)
    context = _page_context(request, needs)
    context["form"] = form
    return render(request, "operations/closed_needs.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def closed_needs_csv(request: HttpRequest) -> StreamingHttpResponse:
    _, needs = _closed(request)
    rows = list(needs[:10000])
    closed_needs_export_record(user=request.user, needs=rows)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(r) for r in closed_needs_rows(user=request.user, needs=rows)),
        content_type="text/csv",
    )
    response["Content-Disposition"] = 'attachment; filename="closed-needs.csv"'
    return response
