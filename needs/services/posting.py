"""Posting a need: check what the coordinator typed, locate it, save it with a fresh REF."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from needs.models import REQUESTER_CONSENT_WORDING, Need, ref_generate
from needs.skills import skills_clean
from volunteers.geocoding import GeocodeError, Place, locate
from volunteers.geography import MAX_SEARCH_RADIUS_KM, PostcodeError, postcode_district
from volunteers.models import DBSLevel, Organisation
from volunteers.phones import InvalidPhone, phone_normalise
from volunteers.services import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

REF_ATTEMPTS = 20


def need_create(
    *,
    organisation: Organisation,
    posted_by: User | AnonymousUser | None,
    category: str,
    summary: str,
    details: str = "",
    requester_name: str = "",
    requester_phone: str = "",
    requester_consents_to_sms: bool = False,
    address: str = "",
    postcode: str = "",
    latitude: float | str | None = None,
    longitude: float | str | None = None,
    urgency: str = Need.Urgency.NORMAL,
    requires_dbs: str = DBSLevel.NONE,
    needs_car: bool = False,
    language: str = "",
    skills: list[str] | None = None,
    dietary_notes: str = "",
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    search_radius_km: float = 5.0,
) -> Need:
    """Validate, locate and save a need with a REF unique among open needs. Raises
    ValidationError({field: message}) on bad input; nothing is written then."""
    need = Need(
        organisation=organisation,
        posted_by=posted_by if posted_by is not None and posted_by.is_authenticated else None,
        category=category,
        summary=(summary or "").strip(),
        details=details or "",
        requester_name=(requester_name or "").strip(),
        requester_phone=requester_phone,
        requester_consents_to_sms=bool(requester_consents_to_sms),
        requester_address=(address or "").strip(),
        postcode=postcode,
        urgency=urgency,
        requires_dbs=requires_dbs,
        needs_car=bool(needs_car),
        language=(language or "").strip().lower(),
        skills=list(skills or []),
        dietary_notes=dietary_notes or "",
        window_start=window_start,
        window_end=window_end,
        search_radius_km=search_radius_km,
    )
    place = need_check_and_place(need=need, latitude=latitude, longitude=longitude, now=timezone.now())
    _requester_consent_record(need=need)
    with transaction.atomic():
        _need_insert_with_fresh_ref(need=need)
        audit_record(
            actor=need.posted_by,
            action="need.create",
            target=need,
            organisation=organisation,
            detail={"ref": need.ref, "precision": place.precision},
        )
    return need


def need_check_and_place(
    *, need: Need, latitude: float | str | None, longitude: float | str | None, now: datetime
) -> Place:
    """Check an unsaved need holding what was typed, then replace the typed phone, search radius
    and postcode with what the checks make of them, and place it. Raises ValidationError listing
    every problem at once (keyed by the form's field names); the need must not be saved then."""
    typed_postcode = need.postcode
    phone, phone_problem = _requester_phone_normalise(need.requester_phone)
    radius, radius_problem = _search_radius_parse(need.search_radius_km)
    place, place_problem = _place_locate(postcode=typed_postcode, latitude=latitude, longitude=longitude)
    skills, skills_problem = skills_clean(need.skills)
    problems = {
        "category": _choice_problem("category", need.category, Need.Category.values),
        "summary": _summary_problem(need.summary),
        "urgency": _choice_problem("urgency", need.urgency, Need.Urgency.values),
        "requires_dbs": _choice_problem("DBS level", need.requires_dbs, DBSLevel.values),
        "requester_phone": phone_problem,
        "window_end": window_problem(need.window_start, need.window_end, now=now),
        "skills": skills_problem,
        "search_radius_km": radius_problem,
        "language": "A language code such as en, pa or ur." if len(need.language) > 10 else None,
        "requester_consents_to_sms": _consent_problem(need.requester_consents_to_sms, phone, phone_problem),
        **place_problem,
    }
    errors = {field: problem for field, problem in problems.items() if problem}
    if errors or place is None:
        raise ValidationError(errors)
    need.requester_phone = phone
    need.skills = skills
    need.search_radius_km = radius
    need.postcode = _postcode_to_store(place=place, typed=typed_postcode)
    need.local_authority_id = place.local_authority_id
    need.set_location(place.latitude, place.longitude)
    return place


def _choice_problem(label: str, value: str, allowed: list[str]) -> str | None:
    if value in allowed:
        return None
    return f"Unknown {label} {value!r}; one of {', '.join(allowed)}."


def _summary_problem(summary: str) -> str | None:
    if not summary:
        return "A short summary is needed (shown to volunteers: no names or addresses)."
    if len(summary) > 200:
        return "The summary must be 200 characters or fewer."
    return None


def _requester_consent_record(*, need: Need) -> None:
    """Word for word, when, and by whom: what a complaint or a subject access request will ask."""
    if need.requester_consents_to_sms:
        need.requester_consent_wording = REQUESTER_CONSENT_WORDING
        need.requester_consent_at = timezone.now()
        need.requester_consent_recorded_by = need.posted_by


def _consent_problem(consents: bool, phone: str, phone_problem: str | None) -> str | None:
    """Consent to a text needs a number to text: refused without one, never dropped quietly."""
    if consents and not phone and not phone_problem:
        return "They agreed to a text, but there is no phone number: add their number, or untick the box."
    return None


def window_problem(start: datetime | None, end: datetime | None, *, now: datetime) -> str | None:
    """Why a need cannot have this window: it ends before it starts, or it has already ended (no
    volunteer could still go: such a need is refused, never offered)."""
    if start and end and end <= start:
        return "The window must end after it starts."
    if end and end <= now:
        when = timezone.localtime(end).strftime("%a %-d %b, %H:%M")
        return f"This window has already ended ({when}). Give a time still to come, or leave it empty."
    return None


def _requester_phone_normalise(typed: str) -> tuple[str, str | None]:
    """The phone in E.164 ("" when none was given), or the reason it is not a phone number."""
    if not (typed and typed.strip()):
        return "", None
    try:
        return phone_normalise(typed), None
    except InvalidPhone as exc:
        return "", str(exc)


def _search_radius_parse(typed: float | str) -> tuple[float, str | None]:
    problem = f"The search radius must be a number of km above 0, at most {MAX_SEARCH_RADIUS_KM:g}."
    try:
        radius = float(typed)
    except (TypeError, ValueError):
        return 0.0, problem
    if not 0 < radius <= MAX_SEARCH_RADIUS_KM:
        return 0.0, problem
    return radius, None


def _place_locate(
    *, postcode: str, latitude: float | str | None, longitude: float | str | None
) -> tuple[Place | None, dict[str, str]]:
    """The place, or the problem keyed by the field to correct: the point when only a point was
    given, else the postcode."""
    try:
        return locate(postcode=postcode, latitude=latitude, longitude=longitude), {}
    except GeocodeError as exc:
        has_point = latitude not in (None, "") or longitude not in (None, "")
        return None, {"latitude" if has_point and not (postcode or "").strip() else "postcode": str(exc)}


def _postcode_to_store(*, place: Place, typed: str) -> str:
    """The full postcode when known, else its district (never the typed text as it is)."""
    stored = place.postcode or (place.district if place.precision == "district" else "")
    if not stored and (typed or "").strip():
        try:
            stored = postcode_district(typed)
        except PostcodeError:
            stored = ""
    return stored


def _need_insert_with_fresh_ref(*, need: Need) -> None:
    """Insert ``need`` under a random REF not held by any open need. Call inside a transaction."""
    for _ in range(REF_ATTEMPTS):
        need.ref = ref_generate()
        try:
            # A savepoint per attempt: a REF collision rolls back only the failed insert.
            with transaction.atomic():
                need.save(force_insert=True)
            return
        except IntegrityError:
            if Need.objects.filter(ref=need.ref).exclude(status__in=Need.CLOSED_STATUSES).exists():
                need.pk = None
                continue
            raise
    # 32**4 = 1,048,576 REFs; 20 collisions in a row means a full table
    raise ValidationError({"ref": "No free REF could be found; close some old needs."})  # pragma: no cover
