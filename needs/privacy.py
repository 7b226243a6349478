"""Data rights, the needs part: a requester's details, and a volunteer's offers.

A requester's name, number, address and private details exist to get one task done. They are
blanked on request, and automatically a set time after the need closes (see
operations/data_rights.py for the schedule). The need itself stays, coarsened, for the counts.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from needs.models import Need, Offer
from needs.selectors import FOLLOWUP_UNANSWERED_ACTION
from volunteers.models import AuditEvent

# About 1 km: enough for "how many needs in this area", too coarse to find a front door.
COARSE_DECIMALS = 2
# Free text that a coordinator or the system wrote about a need into the audit log (a cancel's
# reason may name the requester): dropped from the need's audit lines with the requester's details.
_AUDIT_FREE_TEXT = ("reason", "message")


def need_about(need_id: int) -> str:
    """How texts carrying a need's requester details are named in the outbox (``about``)."""
    return f"need:{need_id}"


def followup_unanswered_message(*, ref: str, name: str) -> str:
    """The line the coordinators read when a volunteer has not answered "is it done?"."""
    return f"{ref} is not marked done and {name or 'the volunteer'} has not answered the follow-up."


def _iso(value):
    return value.isoformat() if value is not None else None


def requester_subject_access(*, phone: str) -> list[dict]:
    """The needs where this number was the requester, with what we hold about them."""
    return [
        {
            "ref": n.ref,
            "category": n.category,
            "summary": n.summary,
            "details": n.details,
            "requester_name": n.requester_name,
            "requester_phone": n.requester_phone,
            "requester_address": n.requester_address,
            "postcode": n.postcode,
            "dietary_notes": n.dietary_notes,
            "consents_to_texts": n.requester_consents_to_sms,
            "consent_wording": n.requester_consent_wording,
            "consent_at": _iso(n.requester_consent_at),
            "status": n.status,
            "organisation": n.organisation.name,
            "created_at": _iso(n.created_at),
            # Their helper's first name, as the "help is coming" text gave it: not their whole name.
            "assigned_volunteer": (n.assigned_volunteer.name.split() or [""])[0]
            if n.assigned_volunteer
            else None,
        }
        for n in Need.objects.filter(requester_phone=phone)
        .select_related("organisation", "assigned_volunteer")
        .order_by("created_at")
    ]


def offers_subject_access(*, volunteer_id: int) -> list[dict]:
    """The offers made to a volunteer. The needs' private details are not theirs, so not included."""
    return [
        {
            "need_ref": o.need.ref,
            "need_summary": o.need.summary,
            "status": o.status,
            "distance_km": round(o.distance_km, 2),
            "why_you": o.explanation,
            "offered_at": _iso(o.offered_at),
            "responded_at": _iso(o.responded_at),
            "completed_at": _iso(o.completed_at),
        }
        for o in Offer.objects.filter(volunteer_id=volunteer_id).select_related("need").order_by("offered_at")
    ]


def _need_erase(need: Need, now: datetime) -> None:
    need.requester_name = ""
    need.requester_phone = ""
    need.requester_address = ""
    need.details = ""
    need.dietary_notes = ""
    if need.postcode:
        need.postcode = need.postcode.split(" ")[0]  # the district only
    if need.latitude is not None:
        longitude = need.longitude
        need.set_location(
            round(need.latitude, COARSE_DECIMALS),
            round(longitude, COARSE_DECIMALS) if longitude is not None else None,
        )
    need.requester_erased_at = now


_ERASED_FIELDS = [
    "requester_name",
    "requester_phone",
    "requester_address",
    "details",
    "dietary_notes",
    "postcode",
    "latitude",
    "longitude",
    *(f"cell_{i}" for i in range(8)),
    "requester_erased_at",
    "updated_at",
]


def requester_needs_held(*, phone: str) -> list[tuple[int, str]]:
    """(id, requester's name) of the needs this number asked for (before they are erased)."""
    return list(Need.objects.filter(requester_phone=phone).order_by("id").values_list("id", "requester_name"))


def requester_still_held(*, phone: str) -> bool:
    """Whether a need still holds this number as its requester's (one not yet erased)."""
    return Need.objects.filter(requester_phone=phone).exists()


def needs_audit_erase(*, need_ids: list[int]) -> int:
    """Drop the free text (a cancel's reason, an alert's message) from these needs' audit lines,
    which may repeat what the requester's details said; who did what, and when, stays."""
    changed = 0
    events = AuditEvent.objects.filter(target_type=Need._meta.label, target_id__in=[str(i) for i in need_ids])
    for event in events:
        if isinstance(event.detail, dict) and set(_AUDIT_FREE_TEXT) & set(event.detail):
            detail = {k: v for k, v in event.detail.items() if k not in _AUDIT_FREE_TEXT}
            AuditEvent.objects.filter(pk=event.pk).update(detail=detail)
            changed += 1
    return changed


def volunteer_audit_erase(*, volunteer_id: int) -> int:
    """The needs' audit lines name the volunteer who accepted: keep the id, drop the name."""
    changed = 0
    for event in AuditEvent.objects.filter(
        action__in=["need.assigned", FOLLOWUP_UNANSWERED_ACTION], detail__volunteer_id=volunteer_id
    ):
        detail = {k: v for k, v in event.detail.items() if k != "volunteer"}
        if "message" in detail:
            detail["message"] = followup_unanswered_message(ref=detail.get("ref", ""), name="")
        AuditEvent.objects.filter(pk=event.pk).update(detail=detail)
        changed += 1
    return changed


def requester_erase(*, phone: str) -> dict[str, object]:
    """Blank the requester's details on every need they asked for. Call inside a transaction.

    Returns the counts, and the refs of needs still open: a coordinator must close those, because
    nobody can deliver to an address that is no longer held.
    """
    now = timezone.now()
    needs = list(Need.objects.filter(requester_phone=phone))
    for need in needs:
        _need_erase(need, now)
        need.updated_at = now
    Need.objects.bulk_update(needs, _ERASED_FIELDS)
    still_open = [n.ref for n in needs if not n.is_closed]
    return {"needs": len(needs), "open_needs": still_open}


def requesters_erase_closed(*, closed_before: datetime, batch_size: int = 500) -> list[tuple[int, str, str]]:
    """Erase the requester details of needs closed before ``closed_before``; returns each need's id
    with the number and name it held (so that the texts to, from and about them can go too).

    A need closes when it is done, cancelled or expired; the first of those times is its closing
    time (updated_at for a need closed without one). Safe to run twice: erased needs are skipped.
    """
    due = (
        Need.objects.filter(status__in=Need.CLOSED_STATUSES, requester_erased_at__isnull=True)
        .annotate(closed_at=Coalesce("done_at", "cancelled_at", "expired_at", F("updated_at")))
        .filter(closed_at__lt=closed_before)
    )
    now = timezone.now()
    erased: list[tuple[int, str, str]] = []
    while True:
        batch = list(due.order_by("id")[:batch_size])
        if not batch:
            return erased
        erased += [(need.pk, need.requester_phone, need.requester_name) for need in batch]
        for need in batch:
            _need_erase(need, now)
            need.updated_at = now
        Need.objects.bulk_update(batch, _ERASED_FIELDS)
