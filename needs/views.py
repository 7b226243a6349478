"""Pages for needs: the coordinators' list, map, posting form and need page, and the volunteer's
offer page at /o/<token>/ (no password: the unguessable token in the text message is the key).

Views stay thin: check who may do it (needs.permissions), call one service, show the outcome.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.i18n import language_pages
from needs.forms import CancelForm, NeedForm, OfferCountForm
from needs.models import Need, Offer
from needs.offer_links import offer_by_token, offer_link_ended_reason, offer_link_open
from needs.permissions import (
    User,
    can_manage_need,
    can_see_need,
    can_see_requester,
    organisations_user_can_post_for,
    requester_read_record,
)
from needs.selectors import (
    local_authority_name,
    need_area,
    need_candidates,
    needs_visible_to,
    offers_for_need,
    offers_made_note,
    organisations_to_post_for,
)
from needs.services import lifecycle, posting
from needs.services.attention import attention_show
from needs.services.claim import AcceptOutcome, offer_accept
from needs.services.offers import offer_decline, offers_make
from needs.skills import CATEGORY_SKILLS, skills_words
from needs.view_parts import need_from_text_done, need_helper_phone, need_prefill_from_text
from needs.words import candidate_sentences, language_name, left_out_lines
from volunteers.geocoding import GeocodeError, geocode_postcode
from volunteers.geography import PostcodeError, postcode_district
from volunteers.links import page_link_issue
from volunteers.models import Volunteer
from volunteers.phones import phone_display
from volunteers.places import place_shown


def tile_url() -> str:
    # Empty means no background tiles: the markers and the list still work with no network.
    return settings.LEAFLET_TILE_URL


def _district(need: Need) -> str:
    try:
        return postcode_district(need.postcode) if need.postcode else ""
    except PostcodeError:
        return ""


def _back(request: HttpRequest, need: Need) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("needs:detail", pk=need.pk)


def _map_markers(needs: list[Need]) -> dict:
    """The list page's map: each need at the centre of its cell, never at its door (a list shows no
    requester's details, to anyone; the need's own page shows its place to those who may see it)."""
    markers = []
    for n in needs:
        lat, lon = place_shown(n.latitude, n.longitude, exact=False)
        if lat is not None:
            markers.append(
                {
                    "lat": lat,
                    "lon": lon,
                    "label": f"{n.ref}: {n.summary}",
                    "detail": f"{n.get_urgency_display()} · {n.get_status_display()}",
                    "url": f"/needs/{n.pk}/",
                    "kind": n.status,
                }
            )
    return {"markers": markers}


# --- coordinators -------------------------------------------------------------------------------
NEEDS_LIST_MAX = 500  # the map and the table stay usable; the page says when there are more


@login_required
def need_list(request: HttpRequest) -> HttpResponse:
    visible = needs_visible_to(user=request.user)
    needs = list(visible.select_related("assigned_volunteer")[:NEEDS_LIST_MAX])
    return render(
        request,
        "needs/list.html",
        {
            "needs": needs,
            "needs_total": visible.count() if len(needs) == NEEDS_LIST_MAX else len(needs),
            "markers_json": _map_markers(needs),
            "tile_url": tile_url(),
            "can_post": bool(organisations_user_can_post_for(user=request.user)),
            "attention": attention_show(user=request.user),
        },
    )


@login_required
def need_create(request: HttpRequest) -> HttpResponse:
    if not organisations_user_can_post_for(user=request.user):
        raise PermissionDenied("Only coordinators post needs.")
    organisations = list(organisations_to_post_for(user=request.user))
    from_text = need_prefill_from_text(request, organisations)
    form = NeedForm(request.POST or None, organisations=organisations, initial=from_text.get("initial"))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)  # the form's fields are need_create's, and the organisation
        organisation_id = data.pop("organisation")
        organisation = next(o for o in organisations if o.id == organisation_id)
        try:
            need = posting.need_create(organisation=organisation, posted_by=request.user, **data)
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            done = need_from_text_done(request, need)
            note = f" The {done} it came from is marked dealt with." if done else ""
            messages.success(request, f"Need {need.ref} is posted. Choose who to ask below.{note}")
            return redirect("needs:detail", pk=need.pk)
    context = {
        "form": form,
        "category_skills": CATEGORY_SKILLS,
        "from_text": from_text.get("text", ""),
        "from_call": from_text.get("call_id"),
        "call_recorded": from_text.get("call_recorded"),
    }
    return render(request, "needs/create.html", context)


@login_required
@require_GET
def postcode_check(request: HttpRequest) -> JsonResponse:
    """For the posting form: is this postcode known, and where is it? Answers as the user types."""
    raw = request.GET.get("postcode", "").strip()
    if len(raw) < 2:
        return JsonResponse({"ok": False, "message": "Type a postcode, like B1 1AA."})
    try:
        place = geocode_postcode(raw[:10])
    except GeocodeError as exc:
        return JsonResponse({"ok": False, "message": str(exc)})
    area = (
        local_authority_name(local_authority_id=place.local_authority_id) if place.local_authority_id else ""
    )
    where = place.postcode or place.district
    message = f"Found {where}" + (f", {area}" if area else "")
    if place.approximate:
        message += " (approximate: the centre of its district)"
    return JsonResponse(
        {
            "ok": True,
            "message": message + ".",
            "postcode": place.postcode,
            "district": place.district,
            "local_authority": area,
            "latitude": round(place.latitude, 5),
            "longitude": round(place.longitude, 5),
            "approximate": place.approximate,
        }
    )


@login_required
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(
        Need.objects.select_related("organisation", "local_authority", "assigned_volunteer"), pk=pk
    )
    if not can_see_need(user=request.user, need=need):
        raise Http404("No such need")
    manage = can_manage_need(user=request.user, need=need)
    requester = _requester_for_staff(need=need, user=request.user)
    offers = list(offers_for_need(need=need))
    is_open = need.status in (Need.Status.OPEN, Need.Status.OFFERED)
    return render(
        request,
        "needs/detail.html",
        {
            "need": need,
            "manage": manage,
            "requester": requester,
            "offers": offers,
            "accepted": next((o for o in offers if o.status == Offer.Status.ACCEPTED), None),
            **_candidates_shown(need, show=manage and is_open),
            "district": _district(need),
            "language": language_name(need.language),
            "helper_phone": need_helper_phone(request, need),
            "offer_form": OfferCountForm(),
            "cancel_form": CancelForm(),
            "is_open": is_open,
            "skills_words": skills_words(need.skills or []),
        },
    )


def _requester_for_staff(*, need: Need, user: User) -> dict | None:
    """Who asked for help, for the posting organisation's coordinators (recorded as a read)."""
    if not can_see_requester(need=need, user=user):
        return None
    requester_read_record(need=need, user=user)
    return {
        "name": need.requester_name,
        "phone": phone_display(need.requester_phone) if need.requester_phone else "",
        "address": need.requester_address,
        "postcode": need.postcode,
        "dietary_notes": need.dietary_notes,
    }


def _candidates_shown(need: Need, *, show: bool) -> dict:
    """For the coordinators of an open need: the top ten candidates with their names, and why
    others were left out."""
    if not show:
        return {"candidates": [], "excluded": {}, "searched_km": 0}
    result, names = need_candidates(need=need, limit=10)
    return {
        "candidates": [
            {"name": names.get(c.volunteer_id, "?"), "c": c, "why": candidate_sentences(c.explanation)}
            for c in result.candidates
        ],
        "excluded": left_out_lines(result.excluded),
        "searched_km": result.searched_km,
    }


def _managed_need(request: HttpRequest, pk: int) -> Need:
    need = get_object_or_404(Need, pk=pk)
    if not can_manage_need(user=request.user, need=need):
        raise PermissionDenied("Only a coordinator of the posting organisation may do that.")
    return need


@login_required
@require_POST
def need_offer(request: HttpRequest, pk: int) -> HttpResponse:
    need = _managed_need(request, pk)
    form = OfferCountForm(request.POST)
    count = form.cleaned_data["count"] if form.is_valid() else 3
    offers = offers_make(need=need, count=count, actor=request.user)
    if offers:
        messages.success(request, offers_made_note(offers=offers, names=True))
    else:
        messages.error(
            request, "Nobody else within reach could be asked. Try a wider area or fewer conditions."
        )
    return redirect("needs:detail", pk=need.pk)


@login_required
@require_POST
def need_done(request: HttpRequest, pk: int) -> HttpResponse:
    need = _managed_need(request, pk)
    if lifecycle.need_mark_done(need=need, actor=request.user, channel="web"):
        messages.success(request, f"Need {need.ref} is marked done. Thank you.")
    else:
        messages.error(request, "Only a need someone has accepted can be marked done.")
    return redirect("needs:detail", pk=need.pk)


@login_required
@require_POST
def need_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    need = _managed_need(request, pk)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if lifecycle.need_cancel(need=need, actor=request.user, reason=reason):
        messages.success(request, f"Need {need.ref} is cancelled; any volunteer asked has been told.")
    else:
        messages.error(request, "This need is already closed.")
    return redirect("needs:detail", pk=need.pk)


@login_required
@require_POST
def need_assignment_seen(request: HttpRequest, pk: int) -> HttpResponse:
    need = _managed_need(request, pk)
    if lifecycle.need_assignment_seen(need=need, actor=request.user):
        messages.success(request, f"Need {need.ref}: noted that you have seen who is helping.")
    return _back(request, need)


@login_required
@require_POST
def need_reconfirm(request: HttpRequest, pk: int) -> HttpResponse:
    need = _managed_need(request, pk)
    if lifecycle.need_reconfirm(need=need, actor=request.user):
        messages.success(request, f"Need {need.ref} is re-confirmed: it stays open.")
    else:
        messages.error(request, f"Need {need.ref} is no longer waiting for a volunteer.")
    return _back(request, need)


# --- the volunteer's offer page --------------------------------------------------------------------
# The offer page is in the volunteer's language; its messages are said in it when shown.
ACCEPT_MESSAGES = {
    AcceptOutcome.ACCEPTED: ("success", gettext_lazy("Thank you! It is yours. The details are below.")),
    AcceptOutcome.ALREADY_YOURS: (
        "success",
        gettext_lazy("You have already accepted this one: the details are below."),
    ),
    AcceptOutcome.ALREADY_TAKEN: ("info", gettext_lazy("Thank you, but another volunteer got there first.")),
    AcceptOutcome.NOT_OPEN: ("info", gettext_lazy("This request is no longer needed.")),
    AcceptOutcome.EXPIRED: ("info", gettext_lazy("Sorry, the time to answer this one has run out.")),
    AcceptOutcome.NOT_OFFERED: ("info", gettext_lazy("This request is no longer open to you.")),
}


def _offer_language(request: HttpRequest, token: str) -> str | None:
    """The language of the volunteer the offer was made to (None for a link we cannot find)."""
    offer = offer_by_token(token=token)
    return offer.volunteer.preferred_language if offer else None


@never_cache
@language_pages(_offer_language)
def offer_page(request: HttpRequest, token: str) -> HttpResponse:
    offer = offer_by_token(token=token)
    if offer is None:
        return render(request, "needs/offer_missing.html", status=404)
    if not offer_link_open(offer=offer):
        # Ended: say so, and nothing else (no task, no place, no link to anything personal).
        return render(
            request, "needs/offer_ended.html", {"reason": offer_link_ended_reason(offer=offer)}, status=410
        )
    if request.method == "POST":
        if request.POST.get("action") == "my_page":
            return redirect(page_link_issue(volunteer=offer.volunteer))
        _offer_answer(request, offer)
        return redirect("offer", token=token)
    need = offer.need
    volunteer = offer.volunteer
    return render(
        request,
        "needs/offer.html",
        {
            "offer": offer,
            "need": need,
            "area": need_area(need=need),
            "requester": _requester_for_volunteer(need=need, volunteer=volunteer),
            "open_to_answer": _open_to_answer(offer=offer, need=need),
            "mine": need.assigned_volunteer_id == volunteer.id,
        },
    )


def _offer_answer(request: HttpRequest, offer: Offer) -> None:
    """The volunteer's button (accept, decline, done), answered with a message on the page."""
    need = offer.need
    action = request.POST.get("action")
    if action == "accept":
        level, text = ACCEPT_MESSAGES[offer_accept(offer=offer, channel=Offer.Channel.WEB)]
        getattr(messages, level)(request, str(text))
    elif action == "decline":
        offer_decline(offer=offer, channel=Offer.Channel.WEB)
        messages.info(
            request, gettext("No problem. Thank you for letting us know: we will ask someone else.")
        )
    elif action == "done":
        offer.refresh_from_db()
        if offer.status == Offer.Status.ACCEPTED and lifecycle.need_mark_done(need=need, channel="web"):
            messages.success(request, gettext("Marked done. Thank you for helping!"))
        else:
            messages.info(request, gettext("This was already marked done or is not yours."))


def _requester_for_volunteer(*, need: Need, volunteer: Volunteer) -> dict | None:
    """What the volunteer who accepted needs to help (recorded as a read), or None for others."""
    if not can_see_requester(need=need, volunteer=volunteer):
        return None
    requester_read_record(need=need, volunteer=volunteer)
    return {
        "name": need.requester_name,
        "phone": phone_display(need.requester_phone) if need.requester_phone else "",
        "phone_e164": need.requester_phone,
        "address": need.requester_address,
        "postcode": need.postcode,
        "details": need.details,
        "dietary_notes": need.dietary_notes,
    }


def _open_to_answer(*, offer: Offer, need: Need) -> bool:
    return (
        offer.status == Offer.Status.OFFERED
        and need.status in (Need.Status.OPEN, Need.Status.OFFERED)
        and (offer.expires_at is None or offer.expires_at > timezone.now())
    )
