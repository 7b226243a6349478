"""Writes for needs and offers: posting a need, offering it, the claim, declines, expiry.

The claim (``offer_accept``) is one conditional UPDATE on the need row: the first accept to reach
the database moves the need from open/offered to assigned; every later one updates no row and is
told "already taken". The database's unique constraint on accepted offers is the second lock.
"""

from __future__ import annotations

import enum
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from messaging.models import OutboundMessage
from messaging.services import message_queue
from needs import texts
from needs.matching.candidates import MAX_RADIUS_KM, candidates_find
from needs.models import Need, Offer, ref_generate
from needs.selectors import FOLLOWUP_UNANSWERED_ACTION, NO_CANDIDATES_ACTION
from volunteers.geocoding import GeocodeError, locate
from volunteers.geography import PostcodeError, postcode_district
from volunteers.models import AuditEvent, DBSLevel, Organisation
from volunteers.phones import InvalidPhone, phone_display, phone_normalise
from volunteers.services import audit_record

logger = logging.getLogger(__name__)

OPEN_STATUSES = (Need.Status.OPEN, Need.Status.OFFERED)
REF_ATTEMPTS = 20


# --- posting a need ------------------------------------------------------------------------------
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


def need_cancel(*, need: Need, actor: AbstractBaseUser | None = None, reason: str = "") -> bool:
    """Cancel a need that is not closed; withdraw its open offers and tell those volunteers."""
    now = timezone.now()
    with transaction.atomic():
        done = (
            Need.objects.filter(pk=need.pk)
            .exclude(status__in=Need.CLOSED_STATUSES)
            .update(status=Need.Status.CANCELLED, cancelled_at=now)
        )
        if not done:
            return False
        _offers_withdraw(need=need, reason="is no longer needed (cancelled)", now=now, include_accepted=True)
        audit_record(
            actor=actor,
            action="need.cancel",
            target=need,
            organisation=need.organisation,
            detail={"ref": need.ref, "reason": reason},
        )
    need.refresh_from_db()
    return True


def need_mark_done(*, need: Need, actor: AbstractBaseUser | None = None, channel: str = "web") -> bool:
    """Mark an assigned need done (by the volunteer's DONE text or a coordinator)."""
    now = timezone.now()
    with transaction.atomic():
        done = Need.objects.filter(pk=need.pk, status=Need.Status.ASSIGNED).update(
            status=Need.Status.DONE, done_at=now
        )
        if not done:
            return False
        Offer.objects.filter(need_id=need.pk, status=Offer.Status.ACCEPTED).update(completed_at=now)
        audit_record(
            actor=actor,
            action="need.done",
            target=need,
            organisation=need.organisation,
            detail={"ref": need.ref, "channel": channel},
        )
    need.refresh_from_db()
    return True


# --- offers --------------------------------------------------------------------------------------
def offer_expiry_delta(urgency: str) -> timedelta:
    minutes = settings.OFFER_EXPIRY_MINUTES.get(urgency, settings.OFFER_EXPIRY_MINUTES["normal"])
    return timedelta(minutes=minutes)


def offer_link(offer: Offer) -> str:
    return f"{settings.PUBLIC_BASE_URL}/o/{offer.token}/"


def _district(need: Need) -> str:
    if need.postcode:
        try:
            return postcode_district(need.postcode)
        except PostcodeError:
            pass
    return need.local_authority.name if need.local_authority_id else ""


def offer_sms_body(offer: Offer) -> str:
    need = offer.need
    return texts.offer_text(
        sender=settings.SMS_SENDER_NAME,
        ref=need.ref,
        category=need.get_category_display(),
        summary=need.summary,
        district=_district(need),
        distance_km=offer.distance_km,
        window=texts.window_text(need.window_start, need.window_end),
        link=offer_link(offer),
        minutes_to_reply=int(offer_expiry_delta(need.urgency).total_seconds() // 60),
    )


def offers_make(
    *, need: Need, count: int | None = None, actor: AbstractBaseUser | None = None
) -> list[Offer]:
    """Offer ``need`` to the best ``count`` volunteers not yet offered it, and text them.

    Returns the new offers (empty when the need is not open or nobody eligible is left; then, if
    no offer is still open either, the posting organisation's coordinators are alerted).
    """
    count = settings.OFFERS_PER_NEED if count is None else count
    if count <= 0:
        return []
    with transaction.atomic():
        # Serialise offer rounds for one need (decline + expiry sweep at once) on PostgreSQL;
        # SQLite's IMMEDIATE transactions serialise writers already.
        locked = Need.objects.select_for_update().filter(pk=need.pk, status__in=OPEN_STATUSES).first()
        if locked is None:
            return []
        need = locked
        now = timezone.now()
        result = candidates_find(need=need, limit=count, now=now)
        expires_at = now + offer_expiry_delta(need.urgency)
        first_rank = (need.offers.order_by("-rank").values_list("rank", flat=True).first() or 0) + 1
        offers = [
            Offer(
                need=need,
                volunteer_id=cand.volunteer_id,
                rank=first_rank + i,
                distance_km=round(cand.distance_km, 3),
                explanation=cand.explanation,
                offered_at=now,
                expires_at=expires_at,
            )
            for i, cand in enumerate(result.candidates)
        ]
        if not offers:
            if not need.offers.filter(status=Offer.Status.OFFERED).exists():
                if need.status != Need.Status.OPEN:
                    Need.objects.filter(pk=need.pk).update(status=Need.Status.OPEN)
                    need.status = Need.Status.OPEN
                _need_flag_no_candidates(need=need, searched_km=result.searched_km, excluded=result.excluded)
            return []
        Offer.objects.bulk_create(offers)
        # bulk_create fills ids on PostgreSQL and SQLite >= 3.35; read them back for the links.
        offers = list(
            Offer.objects.filter(need=need, offered_at=now, volunteer_id__in=[o.volunteer_id for o in offers])
            .select_related("volunteer", "need__local_authority")
            .order_by("rank")
        )
        Need.objects.filter(pk=need.pk).update(status=Need.Status.OFFERED, offered_at=need.offered_at or now)
        need.status = Need.Status.OFFERED
        for offer in offers:
            offer.need = need
            message_queue(
                to=offer.volunteer.phone,
                body=offer_sms_body(offer),
                dedupe_key=f"offer:{offer.id}",
                purpose="offer",
                volunteer=offer.volunteer,
            )
        if actor is not None:
            audit_record(
                actor=actor,
                action="need.offer",
                target=need,
                organisation=need.organisation,
                detail={"ref": need.ref, "volunteers": [o.volunteer_id for o in offers]},
            )
    return offers


def _need_flag_no_candidates(*, need: Need, searched_km: float, excluded: dict[str, int]) -> None:
    """Nobody within reach is left: put the need in front of its coordinators.

    Staff have no phone numbers in the register, so the alert is an audit event the dashboard
    lists (``needs.selectors.needs_without_candidates``), written once per offer round.
    """
    latest = need.offers.order_by("-offered_at").values_list("offered_at", flat=True).first()
    since = latest or need.created_at
    if AuditEvent.objects.filter(
        action=NO_CANDIDATES_ACTION, target_type=Need._meta.label, target_id=str(need.pk), at__gte=since
    ).exists():
        return
    audit_record(
        actor=None,
        action=NO_CANDIDATES_ACTION,
        target=need,
        organisation=need.organisation,
        detail={
            "ref": need.ref,
            "searched_km": round(searched_km, 1),
            "excluded": excluded,
            "message": f"Nobody within {searched_km:.1f} km is left to offer {need.ref} to.",
        },
    )


def offers_top_up(*, need: Need) -> list[Offer]:
    """Keep ``OFFERS_PER_NEED`` offers open for a need still waiting (after a decline or expiry)."""
    open_now = Offer.objects.filter(need_id=need.pk, status=Offer.Status.OFFERED).count()
    return offers_make(need=need, count=max(0, settings.OFFERS_PER_NEED - open_now))


def _offers_withdraw(*, need: Need, reason: str, now: datetime, include_accepted: bool = False) -> None:
    statuses = [Offer.Status.OFFERED] + ([Offer.Status.ACCEPTED] if include_accepted else [])
    ids = list(Offer.objects.filter(need_id=need.pk, status__in=statuses).values_list("pk", flat=True))
    if not ids:
        return
    Offer.objects.filter(pk__in=ids, status__in=statuses).update(
        status=Offer.Status.WITHDRAWN, responded_at=now
    )
    for offer in Offer.objects.filter(pk__in=ids).select_related("volunteer"):
        message_queue(
            to=offer.volunteer.phone,
            body=texts.withdrawn_text(sender=settings.SMS_SENDER_NAME, ref=need.ref, reason=reason),
            dedupe_key=f"offer-withdrawn:{offer.id}",
            purpose="offer_withdrawn",
            volunteer=offer.volunteer,
        )


# --- the claim -----------------------------------------------------------------------------------
class AcceptOutcome(enum.StrEnum):
    ACCEPTED = "accepted"
    ALREADY_YOURS = "already_yours"  # a repeated YES from the winner
    ALREADY_TAKEN = "already_taken"  # someone else won
    NOT_OPEN = "not_open"  # cancelled, done or expired need
    EXPIRED = "expired"  # this offer ran out of time
    NOT_OFFERED = "not_offered"  # declined or withdrawn earlier


class _Lost(Exception):
    """Raised inside the claim's transaction to roll it back; the outcome is read afterwards."""


def offer_accept(*, offer: Offer, channel: str = Offer.Channel.SMS) -> AcceptOutcome:
    """Claim the need for this offer's volunteer. Exactly one accept per need ever wins.

    Safe under any concurrency: the claim is ``UPDATE need SET status='assigned' WHERE id=.. AND
    status IN ('open','offered')``; a concurrent claimant's UPDATE finds no such row.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            claimed = Need.objects.filter(pk=offer.need_id, status__in=OPEN_STATUSES).update(
                status=Need.Status.ASSIGNED, assigned_volunteer_id=offer.volunteer_id, assigned_at=now
            )
            if not claimed:
                raise _Lost
            mine = (
                Offer.objects.filter(pk=offer.pk, status=Offer.Status.OFFERED)
                .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
                .update(status=Offer.Status.ACCEPTED, response_channel=channel, responded_at=now)
            )
            if not mine:
                # The need was free but this offer is not open: undo the claim (roll back).
                raise _Lost
            need = Need.objects.select_related("organisation").get(pk=offer.need_id)
            winner = Offer.objects.select_related("volunteer").get(pk=offer.pk)
            _offers_withdraw(need=need, reason="has been taken by another volunteer", now=now)
            message_queue(
                to=winner.volunteer.phone,
                body=texts.accepted_text(
                    sender=settings.SMS_SENDER_NAME,
                    ref=need.ref,
                    requester_name=need.requester_name,
                    requester_phone=phone_display(need.requester_phone) if need.requester_phone else "",
                    address=need.requester_address,
                    postcode=need.postcode,
                    details=need.details,
                    window=texts.window_text(need.window_start, need.window_end),
                    link=offer_link(winner),
                ),
                dedupe_key=f"offer-accepted:{winner.id}",
                purpose="offer_accepted",
                volunteer=winner.volunteer,
            )
            _requester_tell_help_coming(need=need, volunteer=winner.volunteer)
            audit_record(
                actor=None,
                action="need.assigned",
                target=need,
                organisation=need.organisation,
                detail={
                    "ref": need.ref,
                    "volunteer_id": winner.volunteer_id,
                    "volunteer": winner.volunteer.name,
                    "channel": channel,
                },
            )
    except _Lost:
        return _why_not(offer, now=now)
    offer.refresh_from_db()
    return AcceptOutcome.ACCEPTED


def _requester_tell_help_coming(*, need: Need, volunteer) -> None:
    """Text the requester that help is coming, only when they gave a number and agreed to texts:
    the volunteer's first name and the window, never their surname or number."""
    if not (need.requester_phone and need.requester_consents_to_sms and need.requester_erased_at is None):
        return
    first_name = (volunteer.name or "").split()[0] if (volunteer.name or "").split() else ""
    message_queue(
        to=need.requester_phone,
        body=texts.help_coming_text(
            sender=settings.SMS_SENDER_NAME,
            volunteer_first_name=first_name,
            window=texts.window_text(need.window_start, need.window_end),
        ),
        dedupe_key=f"need-help-coming:{need.pk}",
        purpose="requester_help_coming",
        priority=OutboundMessage.Priority.URGENT,
    )


def need_assignment_seen(*, need: Need, actor: AbstractBaseUser) -> bool:
    """A coordinator has seen who accepted: the need leaves the dashboard's "newly assigned" list."""
    seen = Need.objects.filter(pk=need.pk, assignment_seen_at__isnull=True).update(
        assignment_seen_at=timezone.now()
    )
    if seen:
        audit_record(actor=actor, action="need.assignment_seen", target=need, organisation=need.organisation)
    return bool(seen)


def need_reconfirm(*, need: Need, actor: AbstractBaseUser) -> bool:
    """A coordinator re-confirmed with the requester that a long-open need is still wanted."""
    done = Need.objects.filter(pk=need.pk, status__in=OPEN_STATUSES).update(reconfirmed_at=timezone.now())
    if done:
        audit_record(actor=actor, action="need.reconfirmed", target=need, organisation=need.organisation)
    return bool(done)


def _followup_after() -> timedelta:
    return timedelta(hours=settings.NEEDS_FOLLOWUP_AFTER_HOURS)


def _followup_answer_within() -> timedelta:
    return timedelta(hours=settings.NEEDS_FOLLOWUP_ANSWER_HOURS)


def needs_follow_up_due(*, now: datetime | None = None) -> dict[str, int]:
    """Ask the volunteer whether an assigned need is done once ``NEEDS_FOLLOWUP_AFTER_HOURS``
    have passed since its window (or, without a window, since it was assigned); alert the posting
    coordinators when that question is still unanswered ``NEEDS_FOLLOWUP_ANSWER_HOURS`` later.

    Safe to run twice or concurrently: each step is claimed by a conditional UPDATE on the need
    (``followup_sent_at IS NULL``, ``followup_alerted_at IS NULL``) before anything is sent.
    """
    now = now or timezone.now()
    due_from = Coalesce("window_end", "window_start", "assigned_at")
    asked = 0
    to_ask = (
        Need.objects.filter(status=Need.Status.ASSIGNED, followup_sent_at__isnull=True)
        .alias(due_from=due_from)
        .filter(due_from__lte=now - _followup_after())
        .select_related("assigned_volunteer")
    )
    for need in to_ask[:500]:
        with transaction.atomic():
            if not Need.objects.filter(
                pk=need.pk, status=Need.Status.ASSIGNED, followup_sent_at__isnull=True
            ).update(followup_sent_at=now):
                continue  # another run got there first, or the need was marked done meanwhile
            volunteer = need.assigned_volunteer
            if volunteer is not None:
                message_queue(
                    to=volunteer.phone,
                    body=texts.followup_text(sender=settings.SMS_SENDER_NAME, ref=need.ref),
                    dedupe_key=f"need-followup:{need.pk}",
                    purpose="need_followup",
                    priority=OutboundMessage.Priority.URGENT,
                    volunteer=volunteer,
                )
            asked += 1
    alerted = 0
    unanswered = Need.objects.filter(
        status=Need.Status.ASSIGNED,
        followup_alerted_at__isnull=True,
        followup_sent_at__lte=now - _followup_answer_within(),
    ).select_related("organisation", "assigned_volunteer")
    for need in unanswered[:500]:
        with transaction.atomic():
            if not Need.objects.filter(
                pk=need.pk, status=Need.Status.ASSIGNED, followup_alerted_at__isnull=True
            ).update(followup_alerted_at=now):
                continue
            name = need.assigned_volunteer.name if need.assigned_volunteer_id else "the volunteer"
            audit_record(
                actor=None,
                action=FOLLOWUP_UNANSWERED_ACTION,
                target=need,
                organisation=need.organisation,
                detail={
                    "ref": need.ref,
                    "volunteer_id": need.assigned_volunteer_id,
                    "message": f"{need.ref} is not marked done and {name} has not answered the follow-up.",
                },
            )
            alerted += 1
    return {"asked": asked, "alerted": alerted}


def _why_not(offer: Offer, now: datetime | None = None) -> AcceptOutcome:
    need = Need.objects.filter(pk=offer.need_id).values("status", "assigned_volunteer_id").first()
    current = Offer.objects.filter(pk=offer.pk).values("status", "expires_at").first()
    if need and need["status"] in (Need.Status.ASSIGNED, Need.Status.DONE):
        if need["assigned_volunteer_id"] == offer.volunteer_id:
            return AcceptOutcome.ALREADY_YOURS
        return AcceptOutcome.ALREADY_TAKEN
    if need is None or need["status"] in Need.CLOSED_STATUSES:
        return AcceptOutcome.NOT_OPEN
    if current and current["status"] == Offer.Status.EXPIRED:
        return AcceptOutcome.EXPIRED
    if current and current["status"] == Offer.Status.OFFERED and now and current["expires_at"] <= now:
        return AcceptOutcome.EXPIRED
    return AcceptOutcome.NOT_OFFERED


class DeclineOutcome(enum.StrEnum):
    DECLINED = "declined"
    NOT_OPEN = "not_open"


def offer_decline(*, offer: Offer, channel: str = Offer.Channel.SMS) -> DeclineOutcome:
    """Decline an open offer and offer the need to the next candidate straight away."""
    now = timezone.now()
    with transaction.atomic():
        declined = Offer.objects.filter(pk=offer.pk, status=Offer.Status.OFFERED).update(
            status=Offer.Status.DECLINED, response_channel=channel, responded_at=now
        )
        if not declined:
            return DeclineOutcome.NOT_OPEN
        need = Need.objects.get(pk=offer.need_id)
        if need.status in OPEN_STATUSES:
            offers_top_up(need=need)
    offer.refresh_from_db()
    return DeclineOutcome.DECLINED


def offers_expire_due(*, now: datetime | None = None) -> dict[str, Any]:
    """Expire offers past their time and offer their needs to the next candidates.

    Safe to run twice or concurrently: each offer moves from offered to expired in a conditional
    UPDATE, and offer rounds for one need are serialised by ``offers_make``.
    """
    now = now or timezone.now()
    due = Offer.objects.filter(status=Offer.Status.OFFERED, expires_at__lte=now)
    need_ids = sorted(set(due.values_list("need_id", flat=True)))
    expired = due.filter(need_id__in=need_ids).update(status=Offer.Status.EXPIRED)
    reoffered = 0
    for need in Need.objects.filter(pk__in=need_ids, status__in=OPEN_STATUSES):
        try:
            reoffered += len(offers_top_up(need=need))
        except Exception:  # one bad need must not stop the sweep for the others
            logger.exception("Re-offering need %s failed", need.pk)
    return {"expired": expired, "needs": len(need_ids), "reoffered": reoffered}
