"""Campaign pages (choose a playbook and an area, the dry run, approval, start/pause/cancel, live
progress, the after-action review) and the coverage-gap map.

The services decide who may do what (``reactivation.services.campaign_lifecycle``); the pages show their
refusals in plain words.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from reactivation.forms import CampaignForm, ReviewForm
from reactivation.models import Campaign
from reactivation.permissions import can_manage_campaign, can_see_campaign
from reactivation.selectors.campaign_people import campaign_holds, campaign_ready_people, can_see_ready_names
from reactivation.selectors.campaigns import (
    after_action_review_for,
    campaign_get,
    campaign_map_points,
    campaign_organisations_for,
    campaign_progress,
    campaigns_visible_to,
)
from reactivation.selectors.playbooks import playbooks_runnable
from reactivation.selectors.register import COVERAGE_LEVEL, coverage_gaps
from reactivation.selectors.register_health import health_organisations_for
from reactivation.services.campaign_lifecycle import (
    campaign_approve,
    campaign_cancel,
    campaign_create,
    campaign_enough,
    campaign_pause,
    campaign_resume,
    campaign_start,
)
from reactivation.services.planning import in_quiet_hours
from reactivation.services.playbooks import review_append
from volunteers.forms import LANGUAGE_CHOICES
from volunteers.geography import CELL_SIDES_KM
from volunteers.map_layer import postcode_districts
from volunteers.permissions import CAMPAIGN_MANAGER, is_staff_member, organisation_for, organisation_ids_for
from volunteers.services import audit_record

LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)
FINISHED = (Campaign.Status.COMPLETED, Campaign.Status.CANCELLED)
# The dry run's message previews are keyed by the template's internal name; people read these.
PREVIEW_TITLES = {
    "organiser_call": "To group organisers",
    "volunteer_call": "To volunteers",
    "reconsent": "Asking to renew consent",
    "thanks": "Thank you",
}


def preview_title(name: str) -> str:
    """ "volunteer_call" -> "To volunteers"; "volunteer_call.pa" (a text in another language) ->
    "To volunteers, in Punjabi"."""
    base, _, language = name.partition(".")
    title = PREVIEW_TITLES.get(base) or base.replace("_", " ").capitalize()
    return f"{title}, in {LANGUAGE_NAMES.get(language, language)}" if language else title


def previews_in_order(previews: dict) -> list[tuple[str, dict]]:
    """The previews in the order people meet them (organisers first), whatever order the report's
    JSON came back in: PostgreSQL's jsonb does not keep the keys' order."""
    known = list(PREVIEW_TITLES)
    names = sorted(
        previews,
        key=lambda n: (known.index(n.partition(".")[0]) if n.partition(".")[0] in known else len(known), n),
    )
    return [(preview_title(name), previews[name]) for name in names]


def tile_url() -> str:
    return settings.LEAFLET_TILE_URL


def _signed_in(request: HttpRequest) -> User:
    """The person signed in. Every page here is behind login_required, so this only narrows the
    type; anyone else would be refused."""
    if not request.user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    return request.user


def _errors(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc) or "You may not do that."]


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reactivation/campaign_list.html",
        {
            "campaigns": campaigns_visible_to(user=request.user)[:100],
            "can_start": bool(organisation_ids_for(user=request.user, roles={CAMPAIGN_MANAGER})),
            "health": health_organisations_for(user=request.user).exists(),
        },
    )


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    organisations = campaign_organisations_for(user=user)
    if not organisations:
        raise PermissionDenied("Only campaign managers start campaigns.")
    covered = sorted({la.name for o in organisations for la in o.local_authorities.all()})
    districts = postcode_districts(local_authorities=covered)
    form = CampaignForm(
        request.POST or None,
        organisations=organisations,
        playbooks=playbooks_runnable(),
        local_authorities=covered,
        districts=districts,
        initial=_area_asked_for(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_for(
                user=user,
                roles={CAMPAIGN_MANAGER},
                slug=form.cleaned_data["organisation"],
                doing="run a campaign",
            )
            campaign = campaign_create(
                user=user,
                playbook=form.cleaned_data["playbook"],
                area=form.area(),
                name=form.campaign_name(),
                organisation=organisation,
                target_ready=form.cleaned_data["target_ready"],
                spend_cap_pence=int(form.cleaned_data["spend_cap_pounds"] * 100),
            )
        except (ValidationError, PermissionDenied) as exc:
            for problem in _errors(exc):
                form.add_error(None, problem)
        else:
            messages.success(request, "Here is the dry run: nothing has been sent. Check it, then start.")
            return redirect("reactivation:detail", pk=campaign.pk)
    return render(
        request,
        "reactivation/campaign_new.html",
        {
            "form": form,
            "tile_url": tile_url(),
            "map_data": {
                "markers": [],
                "districts": {
                    d.name: [d.latitude, d.longitude, d.reach_km, d.local_authority] for d in districts
                },
            },
        },
    )


def _area_asked_for(request: HttpRequest) -> dict:
    """A link may name the area to plan for: ``?district=B23`` or ``?local_authority=Walsall``."""
    if request.GET.get("district"):
        return {"area_kind": "district", "district": request.GET["district"].upper().strip()}
    if request.GET.get("local_authority"):
        return {"area_kind": "local_authorities", "local_authorities": request.GET.getlist("local_authority")}
    return {}


def _visible_campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign = campaign_get(campaign_id=pk)
    if campaign is None or not can_see_campaign(user=request.user, organisation_id=campaign.organisation_id):
        raise Http404("No such campaign")
    return campaign


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _visible_campaign(request, pk)
    review = after_action_review_for(campaign=campaign)
    review_form = None
    if campaign.status in FINISHED:
        initial = (
            {
                "what_worked": review.what_worked,
                "what_did_not": review.what_did_not,
                "change_next_time": review.change_next_time,
            }
            if review
            else None
        )
        review_form = ReviewForm(initial=initial)
    report = campaign.dry_run_report or {}
    ready_people = campaign_ready_people(campaign=campaign, user=request.user) if campaign.started_at else []
    if ready_people:
        audit_record(
            actor=request.user,
            action="campaign.ready_people.read",
            target=campaign,
            organisation=campaign.organisation,
            detail={"people": len(ready_people), "with_phone": sum(1 for p in ready_people if p.phone)},
        )
    return render(
        request,
        "reactivation/campaign_detail.html",
        {
            "campaign": campaign,
            "report": report,
            "previews": previews_in_order(report.get("previews") or {}),
            "cost_pounds": (report.get("estimated_cost_pence") or 0) / 100,
            "cap_pounds": campaign.spend_cap_pence / 100,
            "spent_pounds": campaign.spent_pence / 100,
            "manage": can_manage_campaign(user=request.user, organisation_id=campaign.organisation_id),
            "may_approve": campaign.status == Campaign.Status.AWAITING_APPROVAL
            and campaign.created_by_id != request.user.pk,
            "progress": campaign_progress(campaign=campaign) if campaign.started_at else None,
            "ready_people": ready_people,
            "names_allowed": can_see_ready_names(user=request.user, campaign=campaign),
            "holds": campaign_holds(campaign=campaign) if campaign.started_at else [],
            "review": review,
            "review_form": review_form,
            "tile_url": tile_url(),
            "finished": campaign.status in FINISHED,
        },
    )


@login_required
def campaign_progress_json(request: HttpRequest, pk: int) -> JsonResponse:
    """Polled by the campaign page every few seconds while it runs: counts and the map's points."""
    campaign = _visible_campaign(request, pk)
    progress = campaign_progress(campaign=campaign)
    progress["points"] = campaign_map_points(campaign=campaign)
    return JsonResponse(progress)


ACTIONS = {
    "start": (campaign_start, "Started. The first wave is going out."),
    "pause": (campaign_pause, "Paused. No more texts go out until you resume."),
    "resume": (campaign_resume, "Resumed."),
    "cancel": (campaign_cancel, "Cancelled. Texts not yet sent have been withdrawn."),
    "approve": (campaign_approve, "Approved and started."),
    "enough": (
        campaign_enough,
        "Done: the campaign is over. Those who said READY and were not needed are being thanked and "
        "stood down; nobody else gets another text.",
    ),
}


def _started_words(campaign: Campaign, done: str) -> str:
    """What a start or an approval says: the first wave goes now, or when quiet hours end."""
    quiet, until = in_quiet_hours()
    if quiet and done.endswith("The first wave is going out."):
        return f"Started. It is quiet hours: the first wave's texts are held until {until}, then go by themselves."
    if quiet:
        return f"{done} It is quiet hours: the texts are held until {until}, then go by themselves."
    return done


@login_required
@require_POST
def campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    campaign = _visible_campaign(request, pk)
    if action not in ACTIONS:
        raise Http404("No such action")
    service, done = ACTIONS[action]
    try:
        campaign = service(campaign=campaign, user=_signed_in(request))
    except (ValidationError, PermissionDenied) as exc:
        for problem in _errors(exc):
            messages.error(request, problem)
    else:
        if action == "start" and campaign.status == Campaign.Status.AWAITING_APPROVAL:
            messages.info(request, "This campaign needs a second person to approve it before it starts.")
        elif action in ("start", "approve"):
            messages.success(request, _started_words(campaign, done))
        else:
            messages.success(request, done)
    return redirect("reactivation:detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_review(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _visible_campaign(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review_append(campaign=campaign, user=_signed_in(request), **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            for problem in _errors(exc):
                messages.error(request, problem)
        else:
            messages.success(request, f"Thank you. The lessons are added to {campaign.playbook.title}.")
    return redirect("reactivation:detail", pk=campaign.pk)


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(user=request.user):
        raise PermissionDenied("The coverage map is for staff.")
    gaps = coverage_gaps(limit=50)
    markers = [
        {
            "lat": g.latitude,
            "lon": g.longitude,
            "label": f"{g.name[:1].upper()}{g.name[1:]}: {g.open_needs} open need(s), {g.active_volunteers} active volunteer(s) within reach",
            "detail": ("Dormant groups nearby: " + ", ".join(d.get("name", "") for d in g.dormant_groups[:3]))
            if g.dormant_groups
            else "No dormant group nearby",
            "kind": "gap",
            # Bigger for a worse gap, never below a readable size.
            "size": 8 + min(8, g.shortfall),
        }
        for g in gaps
    ]
    return render(
        request,
        "reactivation/coverage.html",
        {
            "gaps": gaps,
            "map_data": {"markers": markers},
            "tile_url": tile_url(),
            "cell_km": CELL_SIDES_KM[COVERAGE_LEVEL],
            "min_needs": settings.COVERAGE_MIN_NEEDS,
            "can_plan": bool(organisation_ids_for(user=request.user, roles={CAMPAIGN_MANAGER})),
        },
    )
