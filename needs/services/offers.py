"""Offering a need: the best volunteers not yet asked are texted; declines and expiry re-offer.

Offer rounds for one need are serialised by a row lock in ``offers_make``.

Quiet hours: offers for critical and high needs go at once; the others wait for the end of quiet
hours, and their answer window starts then, when the text goes, not when it was queued. An offer
text that has not left when its need is taken or cancelled, or when the offer runs out, is taken
back (``messages_withdraw``), and nobody is told "taken" about an offer they never received.
"""

from __future__ import annotations

import enum
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.i18n import text_language
from messaging.models import OutboundMessage
from messaging.services import READY_STATES, message_queue, message_send_time, messages_withdraw
from needs import texts
from needs.matching.candidates import MatchResult, candidates_find
from needs.matching.ranking import Candidate
from needs.models import Need, Offer
from needs.need_state import Event, need_transition
from needs.offer_links import offer_links_issue
from needs.permissions import User, acting_user
from needs.selectors import NO_CANDIDATES_ACTION, need_area
from voice.calling import call_queue, calls_take_back
from volunteers.models import AuditEvent
from volunteers.services import audit_record

logger = logging.getLogger(__name__)

OPEN_STATUSES = (Need.Status.OPEN, Need.Status.OFFERED)


def offer_expiry_delta(urgency: str) -> timedelta:
    minutes = settings.OFFER_EXPIRY_MINUTES.get(urgency, settings.OFFER_EXPIRY_MINUTES["normal"])
    return timedelta(minutes=minutes)


def offer_text_key(offer_id: int) -> str:
    """The dedupe key of an offer's text in the outbox."""
    return f"offer:{offer_id}"


def offer_call_key(offer_id: int) -> str:
    """The dedupe key of an offer's call in the call outbox (a volunteer who is called)."""
    return f"offer-call:{offer_id}"


def offer_sms_body(offer: Offer, *, link: str) -> str:
    """The offer's text, in the volunteer's own language."""
    need = offer.need
    with translation.override(text_language(offer.volunteer.preferred_language)):
        return _offer_sms_body(offer, need=need, link=link)


def _offer_sms_body(offer: Offer, *, need: Need, link: str) -> str:
    return texts.offer_text(
        sender=settings.SMS_SENDER_NAME,
        ref=need.ref,
        category=need.get_category_display(),
        summary=need.summary,
        district=need_area(need=need),
        distance_km=offer.distance_km,
        window=texts.window_text(need.window_start, need.window_end),
        link=link,
        minutes_to_reply=int(offer_expiry_delta(need.urgency).total_seconds() // 60),
    )


def offers_make(*, need: Need, count: int | None = None, actor: User | None = None) -> list[Offer]:
    """Offer ``need`` to the best ``count`` volunteers not yet offered it, and text them.

    Returns the new offers (empty when the need is not open or nobody eligible is left; then, if
    no offer is still open either, the posting organisation's coordinators are alerted).
    """
    count = settings.OFFERS_PER_NEED if count is None else count
    if count <= 0:
        return []
    return _offers_round(need=need, actor=actor, limit=count)


def offer_make_to(
    *, need: Need, volunteer_id: int, actor: User | None = None, pool: int = 10
) -> Offer | None:
    """Offer ``need`` to one chosen volunteer (a surge's assignment), exactly as a round of one: the
    same rules (they must be among its best ``pool`` candidates now), text, link and expiry. None
    when the need is no longer waiting or the volunteer can no longer take it."""
    offers = _offers_round(need=need, actor=actor, limit=pool, only=volunteer_id)
    return offers[0] if offers else None


def _offers_round(*, need: Need, actor: User | None, limit: int, only: int | None = None) -> list[Offer]:
    """One offer round: the best ``limit`` candidates (only volunteer ``only`` of them, if given)."""
    with transaction.atomic():
        # Serialise offer rounds for one need (decline + expiry sweep at once) on PostgreSQL;
        # SQLite's IMMEDIATE transactions serialise writers already.
        locked = Need.objects.select_for_update().filter(pk=need.pk, status__in=OPEN_STATUSES).first()
        now = timezone.now()
        if locked is None or (locked.window_end is not None and locked.window_end <= now):
            return []  # closed, or its window has ended (the expiry job closes it)
        need = locked
        result = candidates_find(need=need, limit=limit, now=now)
        chosen = [c for c in result.candidates if only is None or c.volunteer_id == only]
        offers = _offers_build(need=need, candidates=chosen, now=now)
        if not offers:
            if not result.candidates:
                _need_nobody_left(need=need, result=result)
            return []
        offers = _offers_insert(need=need, offers=offers, now=now)
        need_transition(need_id=need.pk, event=Event.OFFER, now=now, offered_at=need.offered_at or now)
        need.status = Need.Status.OFFERED
        _offers_text(need=need, offers=offers)
        if actor is not None:
            detail: dict[str, Any] = {"ref": need.ref, "volunteers": [o.volunteer_id for o in offers]}
            if only is not None:
                detail["surge"] = True
            audit_record(
                actor=acting_user(actor),
                action="need.offer",
                target=need,
                organisation=need.organisation,
                detail=detail,
            )
    return offers


def _offers_build(*, need: Need, candidates: list[Candidate], now: datetime) -> list[Offer]:
    """Unsaved offers to ``candidates`` (best first), ranked after any offers made before. The
    answer window starts when the text goes: now, or when quiet hours end for a need that waits."""
    expires_at = message_send_time(now=now, urgent=need.is_urgent) + offer_expiry_delta(need.urgency)
    first_rank = (need.offers.order_by("-rank").values_list("rank", flat=True).first() or 0) + 1
    return [
        Offer(
            need=need,
            volunteer_id=cand.volunteer_id,
            rank=first_rank + i,
            distance_km=round(cand.distance_km, 3),
            explanation=cand.explanation,
            offered_at=now,
            expires_at=expires_at,
        )
        for i, cand in enumerate(candidates)
    ]


def _offers_insert(*, need: Need, offers: list[Offer], now: datetime) -> list[Offer]:
    """Save the offers and read them back (with ids, for the links), best first."""
    Offer.objects.bulk_create(offers)
    # bulk_create fills ids on PostgreSQL and SQLite >= 3.35; read them back for the links.
    return list(
        Offer.objects.filter(need=need, offered_at=now, volunteer_id__in=[o.volunteer_id for o in offers])
        .select_related("volunteer", "need__local_authority")
        .order_by("rank")
    )


def _offers_text(*, need: Need, offers: list[Offer]) -> None:
    """Queue the offer text for each new offer, each with its own link; a volunteer who is called
    (needs.calls) gets a call instead."""
    links = offer_links_issue(offers=offers)
    for offer in offers:
        offer.need = need
        if offer.volunteer.is_called:
            _offer_call_queue(offer=offer, need=need)
            continue
        message_queue(
            to=offer.volunteer.phone,
            body=offer_sms_body(offer, link=links[offer.pk]),
            dedupe_key=offer_text_key(offer.id),
            purpose="offer",
            volunteer=offer.volunteer,
            urgent=need.is_urgent,
        )


def _offer_call_queue(*, offer: Offer, need: Need) -> None:
    volunteer = offer.volunteer
    call_queue(
        to=volunteer.phone,
        script="needs.offer",
        subject=f"offer:{offer.pk}",
        dedupe_key=offer_call_key(offer.pk),
        purpose="offer",
        volunteer=volunteer,
        language=volunteer.preferred_language,
        urgent=need.is_urgent,
    )


def _need_nobody_left(*, need: Need, result: MatchResult) -> None:
    """Nobody new could be offered the need: unless an offer is still open, the need is open
    again (not "offered") and its coordinators are alerted."""
    if need.offers.filter(status=Offer.Status.OFFERED).exists():
        return
    if need.status != Need.Status.OPEN:
        need_transition(need_id=need.pk, event=Event.NOBODY_LEFT)
        need.status = Need.Status.OPEN
    _need_flag_no_candidates(need=need, searched_km=result.searched_km, excluded=result.excluded)


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


def offers_withdraw(
    *,
    need: Need,
    reason: str,
    now: datetime,
    include_accepted: bool = False,
    tell: bool = True,
    volunteer_ids: list[int] | None = None,
) -> list[int]:
    """Withdraw the need's open offers (and the accepted one too with ``include_accepted``; only
    those to ``volunteer_ids`` when given), take back the offer texts that have not left yet, and,
    with ``tell``, text each volunteer who received one that the need ``reason`` ("has been taken
    by ..."). Returns the offers withdrawn. Call inside the transaction that closes, claims or
    changes the need."""
    statuses = [Offer.Status.OFFERED] + ([Offer.Status.ACCEPTED] if include_accepted else [])
    offers = Offer.objects.filter(need_id=need.pk, status__in=statuses)
    if volunteer_ids is not None:
        offers = offers.filter(volunteer_id__in=volunteer_ids)
    ids = list(offers.values_list("pk", flat=True))
    if not ids:
        return []
    Offer.objects.filter(pk__in=ids, status__in=statuses).update(
        status=Offer.Status.WITHDRAWN, responded_at=now
    )
    never_received = offer_texts_take_back(offer_ids=ids, reason=f"need {need.ref} {reason}")
    if include_accepted:
        _confirmations_take_back(need=need, offer_ids=ids, reason=f"need {need.ref} {reason}")
    if tell:
        _withdrawals_text(need=need, offer_ids=[pk for pk in ids if pk not in never_received], reason=reason)
    return ids


def _withdrawals_text(*, need: Need, offer_ids: list[int], reason: str) -> None:
    """Tell each volunteer whose offer text reached them that the offer is withdrawn, and why."""
    for offer in Offer.objects.filter(pk__in=offer_ids).select_related("volunteer"):
        if offer.volunteer.is_called:
            continue  # they are called, not texted; key 1 on their call says it is taken
        with translation.override(text_language(offer.volunteer.preferred_language)):
            # ``reason`` is one of the gettext_noop-marked reasons: said in their language.
            body = texts.withdrawn_text(sender=settings.SMS_SENDER_NAME, ref=need.ref, reason=gettext(reason))
        message_queue(
            to=offer.volunteer.phone,
            body=body,
            dedupe_key=f"offer-withdrawn:{offer.id}",
            purpose="offer_withdrawn",
            volunteer=offer.volunteer,
            urgent=need.is_urgent,
        )


# An offer text in one of these states never reached the volunteer's phone.
_NOT_RECEIVED = (
    OutboundMessage.State.FAILED,
    OutboundMessage.State.UNDELIVERED,
    OutboundMessage.State.CANCELLED,
)


def offer_texts_take_back(*, offer_ids: list[int], reason: str) -> set[int]:
    """Withdraw the offer texts of ``offer_ids`` still waiting in the outbox (held by quiet hours or
    a retry). Returns the offers whose volunteer never received the offer: withdrawn now, or failed,
    undelivered or cancelled before. A text already handed to Twilio is left alone."""
    keys = {offer_text_key(pk): pk for pk in offer_ids}
    rows = list(OutboundMessage.objects.filter(dedupe_key__in=keys).values_list("pk", "dedupe_key", "state"))
    waiting = [pk for pk, _, state in rows if state in READY_STATES]
    withdrawn = set(messages_withdraw(ids=waiting, reason=reason)) if waiting else set()
    never = {keys[key] for pk, key, state in rows if pk in withdrawn or state in _NOT_RECEIVED}
    # Offers by call: a call not yet dialled is taken back too; one never answered reached nobody.
    call_keys = {offer_call_key(pk): pk for pk in offer_ids}
    return never | {call_keys[key] for key in calls_take_back(dedupe_keys=list(call_keys), reason=reason)}


def _confirmations_take_back(*, need: Need, offer_ids: list[int], reason: str) -> None:
    """A need closed while its confirmations wait for the end of quiet hours: the accepter's
    details (the requester's name and address) and the requester's "help is coming" are not
    sent at 08:00 for a need that no longer is."""
    keys = [f"offer-accepted:{pk}" for pk in offer_ids] + [f"need-help-coming:{need.pk}"]
    waiting = list(
        OutboundMessage.objects.filter(dedupe_key__in=keys, state__in=READY_STATES).values_list(
            "pk", flat=True
        )
    )
    if waiting:
        messages_withdraw(ids=waiting, reason=reason)


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
    rows = list(due.values_list("pk", "need_id"))
    need_ids = sorted({need_id for _, need_id in rows})
    expired = Offer.objects.filter(pk__in=[pk for pk, _ in rows], status=Offer.Status.OFFERED).update(
        status=Offer.Status.EXPIRED
    )
    if rows:
        # A text still waiting (a retry, a held send) would arrive after its answer window: not sent.
        offer_texts_take_back(offer_ids=[pk for pk, _ in rows], reason="the offer ran out before it went")
    reoffered = 0
    for need in Need.objects.filter(pk__in=need_ids, status__in=OPEN_STATUSES):
        try:
            reoffered += len(offers_top_up(need=need))
        except Exception:  # one bad need must not stop the sweep for the others
            logger.exception("Re-offering need %s failed", need.pk)
    return {"expired": expired, "needs": len(need_ids), "reoffered": reoffered}
