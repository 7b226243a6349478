"""What a row of a volunteers file tells the register about the person's consent and contact state.

The status itself is written by volunteers.contact_state (its table, its import events); the
importers only say which event each row is, from which state.
"""

from __future__ import annotations

from volunteers.contact_state import IMPORT_EVENTS, NONE, Event, ImportedState, state_next
from volunteers.importing.rows import VolunteerRow
from volunteers.models import Volunteer

S = Volunteer.Status


def consent_source_for(*, source: str, given: str | None, known: bool) -> str:
    """Where a person's consent was recorded, as the register keeps it. Without a date from the file
    it is "unknown, imported from FILE": the import is not when they agreed (the person is asked to
    re-consent before any offer or campaign message)."""
    where = f"imported from {source}" + (f" ({given})" if given else "")
    return (where if known else f"unknown, {where}")[:200]


def import_event(row: VolunteerRow) -> Event:
    """The contact-state event of a row: the file's status, active when it gives none."""
    return IMPORT_EVENTS[row.status or S.ACTIVE]


def state_change(*, status: str, volunteer_id: int, row: VolunteerRow) -> ImportedState | None:
    """The row's status for a volunteer already on the register, when the contact state's table
    moves them (it never moves anyone out of opted out: only START does that)."""
    if row.status is None:
        return None  # a blank cell changes nothing
    event = import_event(row)
    if state_next(state=status, event=event) == status:
        return None
    return ImportedState(volunteer_id=volunteer_id, before=status, event=event)


def new_states(*, rows: list[VolunteerRow], blocked: dict[str, str]) -> list[ImportedState]:
    """The import events of rows just inserted, from none (or opted out, for a number on the opt-out
    list). Only rows that will not stay at the model's default (active) are looked up: a number that
    opted out, or a row the file marks paused or dormant."""
    special = {r.phone: r for r in rows if r.phone in blocked or (r.status or S.ACTIVE) != S.ACTIVE}
    if not special:
        return []
    ids = dict(Volunteer.objects.filter(phone__in=list(special)).values_list("phone", "id"))
    return [
        ImportedState(
            volunteer_id=ids[phone], before=S.OPTED_OUT if phone in blocked else NONE, event=import_event(row)
        )
        for phone, row in special.items()
    ]
