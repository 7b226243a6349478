"""A coordinator's (or the volunteer's DONE) moves on a need: cancel, mark done, seen, re-confirm."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from needs.models import Need, Offer
from needs.need_state import Event, need_transition
from needs.permissions import User, acting_user
from needs.services.offers import OPEN_STATUSES, offers_withdraw
from volunteers.services import audit_record


def need_cancel(*, need: Need, actor: User | None = None, reason: str = "") -> bool:
    """Cancel a need that is not closed; withdraw its open offers and tell those volunteers."""
    now = timezone.now()
    with transaction.atomic():
        if not need_transition(need_id=need.pk, event=Event.CANCEL, now=now):
            return False
        offers_withdraw(
            need=need, reason=gettext_noop("is no longer needed (cancelled)"), now=now, include_accepted=True
        )
        audit_record(
            actor=acting_user(actor),
            action="need.cancel",
            target=need,
            organisation=need.organisation,
            detail={"ref": need.ref, "reason": reason},
        )
    need.refresh_from_db()
    return True


def need_mark_done(*, need: Need, actor: User | None = None, channel: str = "web") -> bool:
    """Mark an assigned need done (by the volunteer's DONE text or a coordinator)."""
    now = timezone.now()
    with transaction.atomic():
        if not need_transition(need_id=need.pk, event=Event.DONE, now=now):
            return False
        Offer.objects.filter(need_id=need.pk, status=Offer.Status.ACCEPTED).update(completed_at=now)
        audit_record(
            actor=acting_user(actor),
            action="need.done",
            target=need,
            organisation=need.organisation,
            detail={"ref": need.ref, "channel": channel},
        )
    need.refresh_from_db()
    return True


def need_assignment_seen(*, need: Need, actor: User) -> bool:
    """A coordinator has seen who accepted: the need leaves the dashboard's "newly assigned" list."""
    seen = Need.objects.filter(pk=need.pk, assignment_seen_at__isnull=True).update(
        assignment_seen_at=timezone.now()
    )
    if seen:
        audit_record(
            actor=acting_user(actor),
            action="need.assignment_seen",
            target=need,
            organisation=need.organisation,
        )
    return bool(seen)


def need_reconfirm(*, need: Need, actor: User) -> bool:
    """A coordinator re-confirmed with the requester that a long-open need is still wanted."""
    done = Need.objects.filter(pk=need.pk, status__in=OPEN_STATUSES).update(reconfirmed_at=timezone.now())
    if done:
        audit_record(
            actor=acting_user(actor), action="need.reconfirmed", target=need, organisation=need.organisation
        )
    return bool(done)
