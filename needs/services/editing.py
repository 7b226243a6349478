"""A coordinator changes a need still waiting for a volunteer: its words, window, urgency, place or
what the volunteer must have. A change to the place or the rules is checked against every open
offer: the volunteers it no longer fits are told plainly that the offer is withdrawn, and the need is
offered again to the best volunteers for it as it now is."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from needs.matching.candidates import volunteers_no_longer_fitting
from needs.models import Need, Offer
from needs.need_state import Event, need_may, need_transition, refused_words
from needs.permissions import User, acting_user
from needs.services.offers import offers_top_up, offers_withdraw
from needs.services.posting import need_check_and_place
from volunteers.geography import CELL_FIELDS, PostcodeError, postcode_normalise
from volunteers.services import audit_record

# What a coordinator may change, as need_create names it -> the model's field.
EDITABLE = {
    "summary": "summary",
    "details": "details",
    "address": "requester_address",
    "postcode": "postcode",
    "urgency": "urgency",
    "requires_dbs": "requires_dbs",
    "needs_car": "needs_car",
    "skills": "skills",
    "window_start": "window_start",
    "window_end": "window_end",
}
# A change to one of these may turn away a volunteer already asked: their offers are checked again.
MATCH_FIELDS = frozenset({"postcode", "requires_dbs", "needs_car", "skills", "window_start", "window_end"})
WITHDRAWN_REASON = gettext_noop(
    "has changed (its place, time or what it needs), so it is no longer offered to you"
)


class NeedNotEditable(ValueError):
    """The need is no longer waiting for a volunteer (the message says so, for a person)."""


@dataclass
class NeedChange:
    changed: list[str] = field(default_factory=list)  # need_create's names of what changed
    withdrawn: int = 0  # open offers withdrawn because the change turned their volunteer away
    offered: int = 0  # new offers made to replace them


def need_update(*, need: Need, actor: User | None, changes: dict[str, Any]) -> NeedChange:
    """Apply ``changes`` (need_create's names, only those in EDITABLE) to an open or offered need.

    Raises ValidationError({field: message}) on a bad value (a window already ended, an unknown
    skill, a postcode not found) and NeedNotEditable when the need is no longer waiting; nothing is
    written then. Audited as "need.edit" with the names of the fields changed (never their values).
    """
    if not need_may(need=need, event=Event.EDIT):
        raise NeedNotEditable(refused_words(need=need, event=Event.EDIT))
    now = timezone.now()
    edited = _need_edited(need=need, changes=changes, now=now)
    changed = [name for name, column in EDITABLE.items() if getattr(edited, column) != getattr(need, column)]
    if not changed:
        return NeedChange()
    result = NeedChange(changed=changed)
    with transaction.atomic():
        columns = {EDITABLE[name] for name in changed}
        if "postcode" in changed:
            columns |= {"latitude", "longitude", "local_authority_id", *CELL_FIELDS}
        if not need_transition(
            need_id=need.pk, event=Event.EDIT, now=now, **{c: getattr(edited, c) for c in columns}
        ):
            raise NeedNotEditable(refused_words(need=Need.objects.get(pk=need.pk), event=Event.EDIT))
        if MATCH_FIELDS & set(changed):
            result.withdrawn, result.offered = _offers_recheck(need=edited, now=now)
        audit_record(
            actor=acting_user(actor),
            action="need.edit",
            target=need,
            organisation=need.organisation,
            detail={"ref": need.ref, "changed": changed, "offers_withdrawn": result.withdrawn},
        )
    need.refresh_from_db()
    return result


def _need_edited(*, need: Need, changes: dict[str, Any], now: datetime) -> Need:
    """An unsaved copy of ``need`` with ``changes`` checked and applied (placed again only when the
    postcode changed). Raises ValidationError as need_create does."""
    edited = copy.copy(need)
    for name, value in changes.items():
        if name in EDITABLE:
            setattr(edited, EDITABLE[name], value)
    edited.summary = (edited.summary or "").strip()
    edited.requester_address = (edited.requester_address or "").strip()
    moved = _postcode_key(edited.postcode) != _postcode_key(need.postcode)
    point = (None, None) if moved else (need.latitude, need.longitude)
    need_check_and_place(need=edited, latitude=point[0], longitude=point[1], now=now)
    if not moved:
        edited.postcode = need.postcode
        edited.local_authority_id = need.local_authority_id
    return edited


def _postcode_key(postcode: str) -> str:
    try:
        return postcode_normalise(postcode) if (postcode or "").strip() else ""
    except PostcodeError:
        return (postcode or "").strip().upper()


def _offers_recheck(*, need: Need, now: datetime) -> tuple[int, int]:
    """Withdraw the open offers whose volunteer the changed need now turns away (telling them), and
    offer it again as many times. Returns (withdrawn, offered)."""
    open_to = list(
        Offer.objects.filter(need_id=need.pk, status=Offer.Status.OFFERED).values_list(
            "volunteer_id", flat=True
        )
    )
    gone = volunteers_no_longer_fitting(need=need, volunteer_ids=open_to) if open_to else set()
    if not gone:
        return 0, 0
    withdrawn = offers_withdraw(need=need, reason=WITHDRAWN_REASON, now=now, volunteer_ids=sorted(gone))
    return len(withdrawn), len(offers_top_up(need=need))
