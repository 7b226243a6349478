"""Posting a need: validate the form's or the API's input, locate it, save it with a REF."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from needs.matching.candidates import MAX_RADIUS_KM
from needs.models import Need, ref_generate
from volunteers.geocoding import GeocodeError, locate
from volunteers.geography import PostcodeError, postcode_district
from volunteers.models import DBSLevel, Organisation
from volunteers.phones import InvalidPhone, phone_normalise
from volunteers.services import audit_record

REF_ATTEMPTS = 20


def need_create(
    *,
    organisation: Organisation,
    posted_by: AbstractBaseUser | None,
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
    dietary_notes: str = "",
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    search_radius_km: float = 5.0,
) -> Need:
    """Validate, locate and save a need with a REF unique among open needs.

    Raises ValidationError({field: message}) on bad input; nothing is written then.
    """
    errors: dict[str, str] = {}
    if category not in Need.Category.values:
        errors["category"] = f"Unknown category {category!r}; one of {', '.join(Need.Category.values)}."
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = "A short summary is needed (shown to volunteers: no names or addresses)."
    elif len(summary) > 200:
        errors["summary"] = "The summary must be 200 characters or fewer."
    if urgency not in Need.Urgency.values:
        errors["urgency"] = f"Unknown urgency {urgency!r}; one of {', '.join(Need.Urgency.values)}."
    if requires_dbs not in DBSLevel.values:
        errors["requires_dbs"] = f"Unknown DBS level {requires_dbs!r}; one of {', '.join(DBSLevel.values)}."
    phone = ""
    if requester_phone and requester_phone.strip():
        try:
            phone = phone_normalise(requester_phone)
        except InvalidPhone as exc:
            errors["requester_phone"] = str(exc)
    if window_start and window_end and window_end <= window_start:
        errors["window_end"] = "The window must end after it starts."
    try:
        radius = float(search_radius_km)
        if not 0 < radius <= MAX_RADIUS_KM:
            raise ValueError
    except (TypeError, ValueError):
        errors["search_radius_km"] = (
            f"The search radius must be a number of km above 0, at most {MAX_RADIUS_KM:g}."
        )
        radius = 0.0
    language = (language or "").strip().lower()
    if len(language) > 10:
        errors["language"] = "A language code such as en, pa or ur."
    place = None
    try:
        place = locate(postcode=postcode, latitude=latitude, longitude=longitude)
    except GeocodeError as exc:
        has_point = latitude not in (None, "") or longitude not in (None, "")
        errors["latitude" if has_point and not (postcode or "").strip() else "postcode"] = str(exc)
    if errors:
        raise ValidationError(errors)
    assert place is not None  # noqa: S101 - errors would have been raised above

    stored_postcode = place.postcode or (place.district if place.precision == "district" else "")
    if not stored_postcode and (postcode or "").strip():
        try:
            stored_postcode = postcode_district(postcode)
        except PostcodeError:
            stored_postcode = ""
    need = Need(
        category=category,
        summary=summary,
        details=details or "",
        requester_name=(requester_name or "").strip(),
        requester_phone=phone,
        # Consent without a number means nothing to act on; keep the two in step.
        requester_consents_to_sms=bool(requester_consents_to_sms) and bool(phone),
        requester_address=(address or "").strip(),
        postcode=stored_postcode,
        local_authority_id=place.local_authority_id,
        urgency=urgency,
        requires_dbs=requires_dbs,
        needs_car=bool(needs_car),
        language=language,
        dietary_notes=dietary_notes or "",
        window_start=window_start,
        window_end=window_end,
        search_radius_km=radius,
        organisation=organisation,
        posted_by=posted_by if posted_by is not None and posted_by.is_authenticated else None,
    )
    need.set_location(place.latitude, place.longitude)
    with transaction.atomic():
        for _ in range(REF_ATTEMPTS):
            need.ref = ref_generate()
            try:
                # A savepoint per attempt: a REF collision rolls back only the failed insert.
                with transaction.atomic():
                    need.save(force_insert=True)
                break
            except IntegrityError:
                if Need.objects.filter(ref=need.ref).exclude(status__in=Need.CLOSED_STATUSES).exists():
                    need.pk = None
                    continue
                raise
        else:  # pragma: no cover - 32**4 = 1,048,576 REFs; 20 collisions in a row means a full table
            raise ValidationError({"ref": "No free REF could be found; close some old needs."})
        audit_record(
            actor=posted_by,
            action="need.create",
            target=need,
            organisation=organisation,
            detail={"ref": need.ref, "precision": place.precision},
        )
    return need
