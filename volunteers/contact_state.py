"""A person's contact state, and the one module that writes ``Volunteer.status``.

What may happen to a person (an event) in each state is the table ``TRANSITIONS`` below, written
out in docs/contact-state.md with one line per rule; the code applies the table and never decides a
state by itself. ``tests/volunteers/test_contact_state.py`` fails if any other module writes the
field.

States: a person on the register is active, paused, dormant, opted out, unreachable or erased (the
row an erasure anonymised). A number with no row is ``none``, or ``erased`` while a tombstone holds
it: a keyed hash (HMAC-SHA256 with ``CONTACT_TOMBSTONE_KEY``) of the number, never the number.

What the table implies, besides the status:
* STOP and erasure revoke every link the person holds (volunteers.links).
* Erasure leaves the tombstone, which refuses the number's re-import; only a fresh sign-up at /join/
  (JOIN: new consent, the phone confirmed by a texted code) removes it.
* ``phone_unreachable_at`` is set while a person is unreachable and only then: any state reached by
  a text from the number, or by a confirmed sign-up, clears it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from volunteers.links import links_revoke
from volunteers.models import ErasedNumber, Volunteer

S = Volunteer.Status
NONE = "none"  # no row on the register has this number
REFUSED = "refused"  # the event may not happen in this state (an import of an erased number)


class Event(StrEnum):
    STOP = "stop"  # texted STOP or a synonym, or Twilio reported a carrier opt-out (21610)
    START = "start"  # texted START or UNSTOP: the only way out of opted out
    PAUSE = "pause"  # texted PAUSE, or chose a break on their own page
    AVAILABLE = "available"  # texted AVAILABLE, or chose "yes, I can help" on their own page
    READY = "ready"  # answered a reactivation call READY
    ERASE = "erase"  # their data was erased on request
    UNREACHABLE = "unreachable"  # Twilio said the number cannot take texts (30005, 30006, ...)
    JOIN = "join"  # confirmed a sign-up at /join/ with fresh consent
    IMPORT_ACTIVE = "import_active"  # a row of an import file (no status, or "active")
    IMPORT_PAUSED = "import_paused"  # a row of an import file with the status "paused"
    IMPORT_DORMANT = "import_dormant"  # a row of an import file with the status "dormant"


STATES = (NONE, S.ACTIVE, S.PAUSED, S.DORMANT, S.OPTED_OUT, S.UNREACHABLE, S.ERASED)
IMPORT_EVENTS = {
    "active": Event.IMPORT_ACTIVE,
    "paused": Event.IMPORT_PAUSED,
    "dormant": Event.IMPORT_DORMANT,
}
_A, _P, _D, _O, _U, _E, _N, _X = (
    S.ACTIVE,
    S.PAUSED,
    S.DORMANT,
    S.OPTED_OUT,
    S.UNREACHABLE,
    S.ERASED,
    NONE,
    REFUSED,
)


def _row(*states: str) -> dict[str, str]:
    return dict(zip(STATES, states, strict=True))


# event -> {state before -> state after}. Columns in the order of STATES.
TRANSITIONS: dict[Event, dict[str, str]] = {
    #                       none active paused dormant opted_out unreachable erased
    Event.STOP: _row(_N, _O, _O, _O, _O, _O, _E),
    Event.START: _row(_N, _A, _P, _D, _A, _A, _E),
    Event.PAUSE: _row(_N, _P, _P, _P, _O, _P, _E),
    Event.AVAILABLE: _row(_N, _A, _A, _A, _O, _A, _E),
    Event.READY: _row(_N, _A, _A, _A, _O, _A, _E),
    Event.ERASE: _row(_E, _E, _E, _E, _E, _E, _E),
    Event.UNREACHABLE: _row(_N, _U, _U, _U, _O, _U, _E),
    Event.JOIN: _row(_A, _A, _A, _A, _O, _A, _A),
    Event.IMPORT_ACTIVE: _row(_A, _A, _A, _A, _O, _U, _X),
    Event.IMPORT_PAUSED: _row(_P, _P, _P, _P, _O, _U, _X),
    Event.IMPORT_DORMANT: _row(_D, _D, _D, _D, _O, _U, _X),
}
# Events that take every link the person holds away from them.
REVOKE_LINKS = frozenset({Event.STOP, Event.ERASE})


class ContactStateRefused(ValueError):
    """The table refuses the event in this state (the message says why, for a person)."""


@dataclass(frozen=True)
class Transition:
    before: str
    after: str
    volunteer_id: int | None = None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def state_next(*, state: str, event: Event) -> str:
    """The state ``event`` leads to from ``state`` (REFUSED when it may not happen): the table."""
    return TRANSITIONS[event][state]


# --- the tombstone ---------------------------------------------------------------------------------
def number_hash(phone: str) -> str:
    """The tombstone of a number (E.164): HMAC-SHA256 keyed with CONTACT_TOMBSTONE_KEY, so a copy of
    the table cannot be checked against a list of numbers without the key."""
    key = settings.CONTACT_TOMBSTONE_KEY.encode()
    return hmac.new(key, phone.encode(), hashlib.sha256).hexdigest()


def numbers_erased(*, phones: Iterable[str]) -> set[str]:
    """Those of ``phones`` (E.164) that a tombstone holds: one query per 5000."""
    by_hash = {number_hash(p): p for p in dict.fromkeys(phones)}
    hashes = list(by_hash)
    found: set[str] = set()
    for start in range(0, len(hashes), 5000):
        chunk = hashes[start : start + 5000]
        found |= {
            by_hash[h]
            for h in ErasedNumber.objects.filter(phone_hash__in=chunk).values_list("phone_hash", flat=True)
        }
    return found


def number_state(*, phone: str) -> str:
    """The state of whoever has ``phone``: their row's status, else erased or none."""
    status = Volunteer.objects.filter(phone=phone).values_list("status", flat=True).first()
    if status is not None:
        return status
    return S.ERASED if numbers_erased(phones=[phone]) else NONE


def _number_effects(*, phone: str, event: Event, now: datetime) -> None:
    """What an event does to the number itself: erasure leaves the tombstone, a sign-up lifts it."""
    if event == Event.ERASE:
        ErasedNumber.objects.get_or_create(phone_hash=number_hash(phone), defaults={"erased_at": now})
    elif event == Event.JOIN:
        ErasedNumber.objects.filter(phone_hash=number_hash(phone)).delete()


# --- writing the state -----------------------------------------------------------------------------
def contact_state_apply(
    *, volunteer: Volunteer, event: Event, before: str | None = None, now: datetime | None = None
) -> Transition:
    """Apply ``event`` to ``volunteer``'s row by the table, with what it implies (links, tombstone,
    the unreachable mark), and update the instance too. Call inside a transaction; lock the row
    first where two events may race (``contact_event_record`` does).

    ``before``: the person's state before the event, for a row the caller created in the same
    transaction (a sign-up or an import makes the row, then tells the state what happened).
    Raises ContactStateRefused where the table refuses the event (nothing is written).
    """
    now = now or timezone.now()
    before = before or volunteer.status
    after = state_next(state=before, event=event)
    if after == REFUSED:
        raise ContactStateRefused("This person asked for their data to be erased; they must not be re-added.")
    unreachable_at = (volunteer.phone_unreachable_at or now) if after == S.UNREACHABLE else None
    if after != volunteer.status or unreachable_at != volunteer.phone_unreachable_at:
        Volunteer.objects.filter(pk=volunteer.pk).update(
            status=after, phone_unreachable_at=unreachable_at, updated_at=now
        )
        volunteer.status, volunteer.phone_unreachable_at = after, unreachable_at
    if event in REVOKE_LINKS:
        links_revoke(volunteer_id=volunteer.pk, now=now)
    _number_effects(phone=volunteer.phone, event=event, now=now)
    return Transition(before=before, after=after, volunteer_id=volunteer.pk)


@transaction.atomic
def contact_event_record(*, phone: str, event: Event, now: datetime | None = None) -> Transition:
    """Something happened to the person with ``phone`` (a text, a report from Twilio, an erasure
    of a number with no row): apply it by the table. With no row for the number, only the number's
    own effects apply (erasure leaves a tombstone): no event ever creates a row here."""
    now = now or timezone.now()
    volunteer = Volunteer.objects.select_for_update().filter(phone=phone).first()
    if volunteer is not None:
        return contact_state_apply(volunteer=volunteer, event=event, now=now)
    before = S.ERASED if numbers_erased(phones=[phone]) else NONE
    after = state_next(state=before, event=event)
    _number_effects(phone=phone, event=event, now=now)
    return Transition(before=before, after=after)


@dataclass(frozen=True)
class ImportedState:
    """One row of an import: the volunteer it wrote, their state before the file (``none`` or
    ``opted_out`` for a row the import created: the number's opt-out decides), and the event."""

    volunteer_id: int
    before: str
    event: Event


def contact_states_import(*, rows: Iterable[ImportedState], now: datetime | None = None) -> Counter[str]:
    """The importers' (and the demo seed's) part: apply import events to many rows, one UPDATE per
    resulting state, writing only rows whose status differs. Import events revoke nothing and lift
    no tombstone. Returns how many rows moved to each state. Raises ContactStateRefused for an
    erased number: importers check ``state_next`` first and report such rows."""
    now = now or timezone.now()
    by_state: dict[str, list[int]] = {}
    for row in rows:
        if row.event not in IMPORT_EVENTS.values():
            raise ValueError(f"{row.event} is not an import event")
        after = state_next(state=row.before, event=row.event)
        if after == REFUSED:
            raise ContactStateRefused(f"volunteer {row.volunteer_id}: an erased number may not be imported")
        by_state.setdefault(after, []).append(row.volunteer_id)
    moved: Counter[str] = Counter()
    for state, ids in by_state.items():
        for start in range(0, len(ids), 2000):
            chunk = ids[start : start + 2000]
            moved[state] += (
                Volunteer.objects.filter(pk__in=chunk)
                .exclude(status=state)
                .update(status=state, updated_at=now)
            )
    return moved
