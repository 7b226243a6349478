"""A need's life cycle, and the one module that writes ``Need.status``.

What may happen to a need (an event) in each state is the table ``TRANSITIONS`` below; every
service that moves a need calls ``need_transition``, which applies the table as one conditional
UPDATE (``... WHERE status IN (the states the event may leave)``), so two workers racing on the
same need cannot both move it: the second finds no row and is told so. ``docs/need-lifecycle.md``
writes the table out; ``tests/needs/test_need_state.py`` fails if any other module writes the field.

    open --OFFER--> offered --CLAIM--> assigned --DONE--> done
      ^               |  \\                 \\
      +--NOBODY_LEFT--+   +--EXPIRE/CANCEL--+--CANCEL--> expired / cancelled

EDIT and HAND_OVER change a need without closing it: EDIT keeps its state; HAND_OVER puts it back
to open for the organisation that receives it (its offers are withdrawn first).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.utils import timezone

from needs.models import Need

S = Need.Status


class Event(StrEnum):
    OFFER = "offer"  # texts went to volunteers (a round, a top-up or a surge)
    NOBODY_LEFT = "nobody_left"  # no offer is open and nobody new can be asked: open again
    CLAIM = "claim"  # a volunteer said yes first
    DONE = "done"  # the volunteer texted DONE, or a coordinator marked it done
    CANCEL = "cancel"  # a coordinator cancelled it
    EXPIRE = "expire"  # its window ended while nobody had it
    EDIT = "edit"  # a coordinator changed it (window, place, skills, ...)
    HAND_OVER = "hand_over"  # a coordinator gave it to another organisation


# event -> {state before -> state after}. A state missing from an event's row refuses the event.
TRANSITIONS: dict[Event, dict[str, str]] = {
    Event.OFFER: {S.OPEN: S.OFFERED, S.OFFERED: S.OFFERED},
    Event.NOBODY_LEFT: {S.OPEN: S.OPEN, S.OFFERED: S.OPEN},
    Event.CLAIM: {S.OPEN: S.ASSIGNED, S.OFFERED: S.ASSIGNED},
    Event.DONE: {S.ASSIGNED: S.DONE},
    Event.CANCEL: {S.OPEN: S.CANCELLED, S.OFFERED: S.CANCELLED, S.ASSIGNED: S.CANCELLED},
    Event.EXPIRE: {S.OPEN: S.EXPIRED, S.OFFERED: S.EXPIRED},
    Event.EDIT: {S.OPEN: S.OPEN, S.OFFERED: S.OFFERED},
    Event.HAND_OVER: {S.OPEN: S.OPEN, S.OFFERED: S.OPEN},
}
# The moment each event stamps on the need (the first time only for OFFER).
STAMPS: dict[Event, str] = {
    Event.CLAIM: "assigned_at",
    Event.DONE: "done_at",
    Event.CANCEL: "cancelled_at",
    Event.EXPIRE: "expired_at",
}
# What a coordinator is told when the table refuses an event, by event.
REFUSED_WORDS: dict[Event, str] = {
    Event.DONE: "Only a need someone has accepted can be marked done.",
    Event.CANCEL: "This need is already closed.",
    Event.EXPIRE: "Only a need nobody has accepted yet can expire.",
    Event.EDIT: "Only a need still waiting for a volunteer can be changed: this one is {status}.",
    Event.HAND_OVER: "Only a need still waiting for a volunteer can be handed over: this one is {status}.",
}


def state_next(*, state: str, event: Event) -> str | None:
    """The state ``event`` leads to from ``state``, or None when the table refuses it."""
    return TRANSITIONS[event].get(state)


def need_may(*, need: Need, event: Event) -> bool:
    return state_next(state=need.status, event=event) is not None


def refused_words(*, need: Need, event: Event) -> str:
    return REFUSED_WORDS.get(event, "That cannot be done to this need now.").format(
        status=need.get_status_display().lower()
    )


def need_transition(*, need_id: int, event: Event, now: datetime | None = None, **fields: Any) -> bool:
    """Move need ``need_id`` by ``event`` as the table says, setting ``fields`` too, in conditional
    UPDATEs on the states the event may leave. Returns False (and writes nothing) when the need is
    in a state that refuses the event, or moved there meanwhile. Call inside the transaction that
    does the rest of the event's work (offers withdrawn, audit), so a refusal rolls nothing back."""
    now = now or timezone.now()
    stamp = STAMPS.get(event)
    if stamp is not None:
        fields.setdefault(stamp, now)
    by_target: dict[str, list[str]] = {}
    for before, after in TRANSITIONS[event].items():
        by_target.setdefault(after, []).append(before)
    for after, befores in by_target.items():
        if Need.objects.filter(pk=need_id, status__in=befores).update(status=after, **fields):
            return True
    return False
