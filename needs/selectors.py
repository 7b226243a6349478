"""Reads of needs and offers."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import CharField, Count, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from messaging.models import OutboundMessage
from messaging.services import READY_STATES
from needs import texts
from needs.matching.candidates import MatchResult, candidates_find
from needs.models import Need, Offer
from needs.permissions import User, organisations_user_can_post_for
from volunteers.geography import PostcodeError, postcode_district
from volunteers.models import AuditEvent, LocalAuthority, Organisation, Volunteer
from volunteers.permissions import is_superuser, organisation_ids_for
from volunteers.places import within_circle_for_reader

# The audit action that marks a need nobody within reach can take (written by needs.services.offers).
NO_CANDIDATES_ACTION = "need.no_candidates"
# The audit action written when a volunteer has not answered "is it done?" (needs.services.followups).
FOLLOWUP_UNANSWERED_ACTION = "need.followup_unanswered"
# How many rows each "needs your attention" list shows; the heading gives the full count.
ATTENTION_ROWS = 20


def open_need_counts_by_local_authority() -> dict[int | None, int]:
    """Needs not yet closed, keyed by local authority id (None for needs outside any)."""
    rows = (
        Need.objects.exclude(status__in=Need.CLOSED_STATUSES)
        .values("local_authority")
        .annotate(n=Count("id"))
    )
    return {row["local_authority"]: row["n"] for row in rows}


def needs_for_organisations(
    *, organisations: QuerySet[Organisation], open_only: bool = True
) -> QuerySet[Need]:
    qs = Need.objects.filter(organisation__in=organisations).select_related("organisation", "local_authority")
    if open_only:
        qs = qs.filter(~Q(status__in=Need.CLOSED_STATUSES))
    return qs


def needs_visible_to(*, user: User | None, open_only: bool = True) -> QuerySet[Need]:
    """The needs of every organisation the user works for, whatever their role (the needs page)."""
    organisations = Organisation.objects.filter(id__in=organisation_ids_for(user=user))
    return needs_for_organisations(organisations=organisations, open_only=open_only)


def needs_for_staff(*, user: User | None) -> QuerySet[Need]:
    """The needs a staff member may read through the API (all of them for a superuser), newest
    first, with the organisation, area and assigned volunteer."""
    needs = Need.objects.select_related("organisation", "local_authority", "assigned_volunteer").order_by(
        "-created_at", "-id"
    )
    if not is_superuser(user):
        needs = needs.filter(organisation_id__in=organisation_ids_for(user=user))
    return needs


def needs_filter(
    *,
    needs: QuerySet[Need],
    statuses: Collection[str] | None = None,
    category: str | None = None,
    urgency: str | None = None,
    local_authority_id: int | None = None,
    organisation_slug: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_km: float | None = None,
    seen_in_full: Q | bool = False,
) -> QuerySet[Need]:
    """``needs`` narrowed by each filter given (None or empty: not filtered); the area is the
    circle of ``radius_km`` around the point, and applies only when all three are given. Needs the
    reader may not see in full (``seen_in_full``, from ``needs_seen_in_full``) are placed by their
    cell's centre, never by their point (``volunteers.places``)."""
    if statuses:
        needs = needs.filter(status__in=statuses)
    if category is not None:
        needs = needs.filter(category=category)
    if urgency is not None:
        needs = needs.filter(urgency=urgency)
    if local_authority_id is not None:
        needs = needs.filter(local_authority_id=local_authority_id)
    if organisation_slug is not None:
        needs = needs.filter(organisation__slug=organisation_slug)
    if radius_km is not None and latitude is not None and longitude is not None:
        needs = within_circle_for_reader(
            needs, latitude=latitude, longitude=longitude, radius_km=radius_km, exact=seen_in_full
        )
    return needs


def organisations_to_post_for(*, user: User | None) -> QuerySet[Organisation]:
    """The organisations where the user may post needs (they coordinate there), by name."""
    return Organisation.objects.filter(id__in=organisations_user_can_post_for(user=user)).order_by("name")


def local_authority_name(*, local_authority_id: int) -> str:
    """A local authority's name ("" for an unknown id)."""
    return LocalAuthority.objects.filter(pk=local_authority_id).values_list("name", flat=True).first() or ""


def need_area(*, need: Need) -> str:
    """Where a need is, as much as a volunteer not yet helping may know: the postcode district,
    else the local authority's name, else ""."""
    if need.postcode:
        try:
            return postcode_district(need.postcode)
        except PostcodeError:
            pass
    local_authority = need.local_authority
    return local_authority.name if local_authority is not None else ""


def need_candidates(*, need: Need, limit: int) -> tuple[MatchResult, dict[int, str]]:
    """The matcher's best ``limit`` volunteers for ``need`` (ranked, with why) and their names by
    id (one query more than the matcher)."""
    result = candidates_find(need=need, limit=limit)
    names = dict(
        Volunteer.objects.filter(id__in=[c.volunteer_id for c in result.candidates]).values_list("id", "name")
    )
    return result, names


def _offer_texts_waiting(now: datetime) -> QuerySet[OutboundMessage]:
    """Offer texts still in the outbox, held for later than ``now`` (quiet hours)."""
    return OutboundMessage.objects.filter(purpose="offer", state__in=READY_STATES, send_after__gt=now)


def offers_for_need(*, need: Need) -> QuerySet[Offer]:
    """The offers made for a need, best ranked first, with each volunteer, and ``text_held_until``:
    when the offer's text goes, if quiet hours hold it now (None once it has gone)."""
    key = Concat(Value("offer:"), Cast(OuterRef("pk"), output_field=CharField()))
    held = _offer_texts_waiting(timezone.now()).filter(dedupe_key=key).values("send_after")[:1]
    return (
        Offer.objects.filter(need=need)
        .select_related("volunteer")
        .annotate(text_held_until=Subquery(held))
        .order_by("rank", "id")
    )


def offer_texts_held_until(*, offer_ids: Collection[int]) -> datetime | None:
    """When the last of these offers' texts that quiet hours hold goes; None when none is held."""
    keys = [f"offer:{pk}" for pk in offer_ids]
    return (
        _offer_texts_waiting(timezone.now()).filter(dedupe_key__in=keys).aggregate(at=Max("send_after"))["at"]
    )


def offers_made_note(*, offers: list[Offer], names: bool) -> str:
    """What a coordinator is told after offering a need: "Texted 3 volunteers", or, when quiet
    hours hold the texts, that they are offered and when the texts really go."""
    people = f"{len(offers)} volunteer{'s' if len(offers) != 1 else ''}"
    if names:
        people += ": " + ", ".join(o.volunteer.name for o in offers)
    held = offer_texts_held_until(offer_ids=[o.pk for o in offers])
    if held is None:
        return f"Texted {people}."
    return (
        f"Offered to {people}. Their texts are {texts.held_until_text(held)} (quiet hours: only "
        "critical and high needs are texted at night)."
    )


# --- offers: finding the one a text or a link is about ----------------------------------------------
def offers_open_for_phone(*, phone: str) -> QuerySet[Offer]:
    """Offers still waiting for this phone's answer (for YES with the REF left out)."""
    return (
        Offer.objects.filter(volunteer__phone=phone, status=Offer.Status.OFFERED)
        .exclude(need__status__in=Need.CLOSED_STATUSES)
        .select_related("need", "volunteer")
    )


def offer_for_phone_and_ref(*, phone: str, ref: str) -> Offer | None:
    """The offer of need REF made to this phone: the open one first, else the latest."""
    ref = (ref or "").strip().upper()
    if not ref:
        return None
    qs = Offer.objects.filter(volunteer__phone=phone, need__ref=ref).select_related("need", "volunteer")
    return qs.filter(status=Offer.Status.OFFERED).first() or qs.order_by("-offered_at").first()


def needs_about_phone(*, phone: str, limit: int = 20) -> QuerySet[Need]:
    """The latest needs this number asked for (as the requester) or is helping with (as the
    volunteer who accepted): how an organisation knows a number that texts us."""
    return (
        Need.objects.filter(
            Q(requester_phone=phone, requester_erased_at__isnull=True) | Q(assigned_volunteer__phone=phone)
        )
        .only("id", "ref", "category", "organisation_id", "requester_phone", "status")
        .order_by("-created_at")[:limit]
    )


def needs_without_candidates(*, organisations: QuerySet[Organisation]) -> QuerySet[Need]:
    """Open needs for which nobody within reach is left: the coordinators must step in."""
    flagged = AuditEvent.objects.filter(
        action=NO_CANDIDATES_ACTION, target_type=Need._meta.label, organisation__in=organisations
    ).values_list("target_id", flat=True)
    return needs_for_organisations(organisations=organisations).filter(
        status=Need.Status.OPEN, pk__in=[int(pk) for pk in flagged]
    )


# --- after the claim: what the coordinators' dashboard shows ---------------------------------------
def needs_newly_assigned(*, organisations: QuerySet[Organisation]) -> QuerySet[Need]:
    """Needs a volunteer has accepted that no coordinator has looked at yet, with who accepted."""
    return (
        needs_for_organisations(organisations=organisations, open_only=False)
        .filter(status=Need.Status.ASSIGNED, assignment_seen_at__isnull=True)
        .select_related("assigned_volunteer")
        .order_by("-assigned_at")
    )


def needs_followup_unanswered(*, organisations: QuerySet[Organisation]) -> QuerySet[Need]:
    """Assigned needs whose volunteer did not answer "is it done?": a coordinator should call."""
    return (
        needs_for_organisations(organisations=organisations)
        .filter(status=Need.Status.ASSIGNED, followup_alerted_at__isnull=False)
        .select_related("assigned_volunteer")
        .order_by("followup_alerted_at")
    )


def needs_to_reconfirm(
    *, organisations: QuerySet[Organisation], now: datetime | None = None
) -> QuerySet[Need]:
    """Needs still waiting for a volunteer after ``NEEDS_RECONFIRM_AFTER_HOURS`` (default 48) since
    they were posted or last re-confirmed: check with the requester that help is still wanted."""
    now = now or timezone.now()
    after = timedelta(hours=settings.NEEDS_RECONFIRM_AFTER_HOURS)
    return (
        needs_for_organisations(organisations=organisations)
        .filter(status__in=(Need.Status.OPEN, Need.Status.OFFERED))
        .alias(since=Coalesce("reconfirmed_at", "created_at"))
        .filter(since__lte=now - after)
        .order_by("created_at")
    )


def volunteers_cannot_be_matched(
    *, organisations: QuerySet[Organisation] | None = None
) -> QuerySet[Volunteer]:
    """Volunteers who would take offers but have no location, so the matcher never sees them:
    someone should ask them for a postcode. Limited to the given organisations' groups if given."""
    qs = Volunteer.objects.filter(
        Q(latitude__isnull=True) | Q(longitude__isnull=True) | Q(cell_0__isnull=True),
        status__in=(Volunteer.Status.ACTIVE, Volunteer.Status.PAUSED),
        erased_at__isnull=True,
    )
    if organisations is not None:
        qs = qs.filter(groups__organisation__in=organisations).distinct()
    return qs.order_by("name")


# --- what needs a coordinator's attention ------------------------------------------------------------
def attention_for(*, user: User | None) -> dict[str, Any]:
    """The lists a coordinator should act on, for the organisations where they coordinate: needs
    newly accepted, follow-ups unanswered, needs open too long (re-confirm with the requester),
    needs nobody within reach could take, and volunteers the matcher cannot see (no location).
    Empty for anyone who coordinates nowhere: viewers and campaign managers cannot act on these.

    Each list holds at most ``ATTENTION_ROWS`` rows and comes with ``<name>_count``; ``any`` says
    whether there is anything at all. A fixed number of queries (two per list at most). Showing
    the unmatched volunteers' phones is recorded by ``needs.services.attention.attention_show``.
    """
    org_ids = organisations_user_can_post_for(user=user)
    if not org_ids:
        return {"any": False}
    orgs = Organisation.objects.filter(id__in=org_ids)
    lists: dict[str, QuerySet[Any]] = {
        "newly_assigned": needs_newly_assigned(organisations=orgs),
        "followup_unanswered": needs_followup_unanswered(organisations=orgs),
        "to_reconfirm": needs_to_reconfirm(organisations=orgs),
        "without_candidates": needs_without_candidates(organisations=orgs),
        "cannot_be_matched": volunteers_cannot_be_matched(organisations=orgs).prefetch_related("groups"),
    }
    out: dict[str, Any] = {}
    for name, qs in lists.items():
        rows = list(qs[:ATTENTION_ROWS])
        out[name] = rows
        out[f"{name}_count"] = len(rows) if len(rows) < ATTENTION_ROWS else qs.count()
    out["any"] = any(out[name] for name in lists)
    return out


def organisations_to_hand_to(*, need: Need) -> QuerySet[Organisation]:
    """The other organisations whose area covers the need's place (its local authority), by name."""
    if need.local_authority_id is None:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(local_authorities=need.local_authority_id)
        .exclude(pk=need.organisation_id)
        .distinct()
        .order_by("name")
    )
