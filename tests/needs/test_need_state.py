"""A need's life cycle: the table says what each event does in each state, and only
needs/need_state.py writes ``Need.status``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from needs.models import Need
from needs.need_state import TRANSITIONS, Event, need_transition, state_next
from tests.factories import NeedFactory

ROOT = Path(__file__).resolve().parents[2]
OWNER = Path("needs/need_state.py")
S = Need.Status


@pytest.mark.parametrize(
    ("event", "before", "after"),
    [
        (Event.OFFER, S.OPEN, S.OFFERED),
        (Event.NOBODY_LEFT, S.OFFERED, S.OPEN),
        (Event.CLAIM, S.OFFERED, S.ASSIGNED),
        (Event.DONE, S.ASSIGNED, S.DONE),
        (Event.CANCEL, S.ASSIGNED, S.CANCELLED),
        (Event.EXPIRE, S.OPEN, S.EXPIRED),
        (Event.EXPIRE, S.OFFERED, S.EXPIRED),
        (Event.EDIT, S.OFFERED, S.OFFERED),
        (Event.HAND_OVER, S.OFFERED, S.OPEN),
    ],
)
def test_the_table(event, before, after):
    assert state_next(state=before, event=event) == after


@pytest.mark.parametrize("closed", [S.DONE, S.CANCELLED, S.EXPIRED])
def test_nothing_moves_a_closed_need(closed):
    assert all(state_next(state=closed, event=event) is None for event in Event)


@pytest.mark.parametrize("event", [Event.EXPIRE, Event.EDIT, Event.HAND_OVER, Event.OFFER])
def test_an_assigned_need_cannot_expire_be_edited_handed_over_or_offered(event):
    assert state_next(state=S.ASSIGNED, event=event) is None


@pytest.mark.django_db
def test_a_transition_the_table_refuses_writes_nothing():
    need = NeedFactory(status=S.ASSIGNED)
    assert need_transition(need_id=need.pk, event=Event.EXPIRE) is False
    need.refresh_from_db()
    assert need.status == S.ASSIGNED and need.expired_at is None


@pytest.mark.django_db
def test_a_transition_stamps_its_moment_once():
    need = NeedFactory(status=S.OFFERED)
    assert need_transition(need_id=need.pk, event=Event.EXPIRE) is True
    need.refresh_from_db()
    assert need.status == S.EXPIRED and need.expired_at is not None
    assert need_transition(need_id=need.pk, event=Event.EXPIRE) is False  # the second run finds no row


def test_every_event_has_a_row_and_every_target_is_a_status():
    assert set(TRANSITIONS) == set(Event)
    assert {after for row in TRANSITIONS.values() for after in row.values()} <= set(S.values)


# --- only the owner writes the status ------------------------------------------------------------
WRITE = re.compile(
    r"\.update\([^)]*\bstatus\s*=\s*(Need\.Status|S\.|\"(open|offered|assigned|done|cancelled|expired)\")"
    r"|Need\([^)]*\bstatus\s*="
    r"|need\.save\([^)]*status",
    re.S,
)


def status_writes(source: str) -> list[str]:
    return [m.group(0)[:60] for m in WRITE.finditer(source)]


def test_no_module_but_need_state_writes_a_needs_status():
    writers = {
        f"{path.relative_to(ROOT)}: {hit}"
        for app in ("needs", "messaging", "voice", "reactivation", "operations", "volunteers")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and path.relative_to(ROOT) != OWNER
        for hit in status_writes(path.read_text(encoding="utf-8"))
    }
    assert writers == set()


@pytest.mark.parametrize(
    "source",
    [
        "Need.objects.filter(pk=1).update(status=Need.Status.OPEN)",
        'Need.objects.filter(pk=1).update(\n    status="expired", expired_at=now\n)',
        "Need.objects.filter(pk=need.pk).update(status=S.DONE, done_at=now)",
        'need.save(update_fields=["status"])',
    ],
)
def test_the_scan_catches_a_write(source):
    assert status_writes(source)


def test_the_owner_writes_the_status_by_the_table():
    assert "update(status=after" in (ROOT / OWNER).read_text(encoding="utf-8")
