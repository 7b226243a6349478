"""The claim: a volunteer's accept.

The claim (``offer_accept``) is one conditional UPDATE on the need row: the first accept to reach
the database moves the need from open/offered to assigned; every later one updates no row and is
told "already taken". The database's unique constraint on accepted offers is the second lock.
"""

from __future__ import annotations

import enum
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from core.i18n import text_language
from messaging.models import OutboundMessage
from messaging.services import message_queue
from needs import texts
from needs.models import Need, Offer
from needs.need_state import Event, need_transition
from needs.offer_links import offer_link_issue
from needs.privacy import need_about
from needs.services.offers import offers_withdraw
from volunteers.models import Volunteer
from volunteers.phones import phone_display, phone_is_landline
from volunteers.services import audit_record


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
            need, winner = _need_claim(offer=offer, channel=channel, now=now)
            offers_withdraw(need=need, reason=gettext_noop("has been taken by another volunteer"), now=now)
            _winner_tell_details(need=need, winner=winner)
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


def _need_claim(*, offer: Offer, channel: str, now: datetime) -> tuple[Need, Offer]:
    """The two conditional UPDATEs: the need from open to assigned, then this offer from offered
    (and not run out) to accepted. Raises _Lost when either finds no row; call inside the claim's
    transaction, which that rolls back. Returns the need and the winning offer, as now stored."""
    claimed = need_transition(
        need_id=offer.need_id, event=Event.CLAIM, now=now, assigned_volunteer_id=offer.volunteer_id
    )
    if not claimed:
        raise _Lost
    mine = (
        Offer.objects.filter(pk=offer.pk, status=Offer.Status.OFFERED)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        # Someone who has opted out since (or been erased) cannot take it: no text could reach them
        # with the details, and the need would sit assigned to nobody who knows where to go.
        .exclude(volunteer__status__in=(Volunteer.Status.OPTED_OUT, Volunteer.Status.ERASED))
        .update(status=Offer.Status.ACCEPTED, response_channel=channel, responded_at=now)
    )
    if not mine:
        # The need was free but this offer is not open: undo the claim (roll back).
        raise _Lost
    need = Need.objects.select_related("organisation").get(pk=offer.need_id)
    winner = Offer.objects.select_related("volunteer").get(pk=offer.pk)
    return need, winner


def _winner_tell_details(*, need: Need, winner: Offer) -> None:
    """Text the volunteer who won what they need to help: the requester's name, number, address
    and the details (only ever to the winner); at once for a critical or high need, even in
    quiet hours. Not to a landline (a volunteer who is called heard them on the call)."""
    if phone_is_landline(winner.volunteer.phone):
        return
    with translation.override(text_language(winner.volunteer.preferred_language)):
        body = texts.accepted_text(
            sender=settings.SMS_SENDER_NAME,
            ref=need.ref,
            requester_name=need.requester_name,
            requester_phone=phone_display(need.requester_phone) if need.requester_phone else "",
            address=need.requester_address,
            postcode=need.postcode,
            details=need.details,
            window=texts.window_text(need.window_start, need.window_end),
            link=offer_link_issue(offer=winner),
        )
    message_queue(
        to=winner.volunteer.phone,
        body=body,
        dedupe_key=f"offer-accepted:{winner.id}",
        purpose="offer_accepted",
        volunteer=winner.volunteer,
        about=need_about(need.pk),
        about_phone=need.requester_phone,
        urgent=need.is_urgent,
    )


def _requester_tell_help_coming(*, need: Need, volunteer: Volunteer) -> None:
    """Text the requester that help is coming, only when they gave a number and agreed to texts:
    the volunteer's first name and the window, never their surname or number."""
    if not (need.requester_phone and need.requester_consents_to_sms and need.requester_erased_at is None):
        return
    first_name = (volunteer.name or "").split()[0] if (volunteer.name or "").split() else ""
    # The requester's language when the need names one of ours, else English.
    with translation.override(text_language(need.language)):
        body = texts.help_coming_text(
            sender=settings.SMS_SENDER_NAME,
            volunteer_first_name=first_name,
            window=texts.window_text(need.window_start, need.window_end),
        )
    message_queue(
        to=need.requester_phone,
        body=body,
        dedupe_key=f"need-help-coming:{need.pk}",
        purpose="requester_help_coming",
        priority=OutboundMessage.Priority.URGENT,
        about=need_about(need.pk),
        about_phone=volunteer.phone,  # it names the volunteer
        urgent=need.is_urgent,
    )


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
    if current and current["status"] == Offer.Status.OFFERED and now and _ran_out(current["expires_at"], now):
        return AcceptOutcome.EXPIRED
    return AcceptOutcome.NOT_OFFERED


def _ran_out(expires_at: datetime | None, now: datetime) -> bool:
    # An offer with no expiry never runs out (the claim's UPDATE accepts it too).
    return expires_at is not None and expires_at <= now
