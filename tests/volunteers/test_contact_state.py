"""One owner of a person's contact state: its table, the rules the table must keep, the documented
table matching the code's, and a scan of the code that fails if any other module writes the field."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.factories import VolunteerFactory
from volunteers.contact_state import (
    NONE,
    REFUSED,
    STATES,
    TRANSITIONS,
    Event,
    contact_event_record,
    number_hash,
    state_next,
)
from volunteers.links import page_link_find, page_link_issue
from volunteers.models import ErasedNumber, Volunteer

ROOT = Path(__file__).resolve().parents[2]
APPS = ["config", "core", "volunteers", "messaging", "voice", "needs", "reactivation", "operations"]
OWNER = Path("volunteers/contact_state.py")
S = Volunteer.Status


# --- the table ------------------------------------------------------------------------------------
def test_every_event_has_an_answer_for_every_state():
    assert set(TRANSITIONS) == set(Event)
    for event, row in TRANSITIONS.items():
        assert list(row) == list(STATES), event
        assert set(row.values()) <= {*STATES, REFUSED}, event


def test_only_start_leaves_opted_out():
    for event in Event:
        after = state_next(state=S.OPTED_OUT, event=event)
        if event == Event.START:
            assert after == S.ACTIVE
        elif event == Event.ERASE:
            assert after == S.ERASED  # erasure goes further still, never back
        else:
            assert after == S.OPTED_OUT, event


def test_only_a_fresh_sign_up_leaves_erased_and_an_import_of_it_is_refused():
    for event in Event:
        after = state_next(state=S.ERASED, event=event)
        if event == Event.JOIN:
            assert after == S.ACTIVE
        elif event.value.startswith("import_"):
            assert after == REFUSED
        else:
            assert after == S.ERASED, event


def _doc_table() -> dict[str, dict[str, str]]:
    text = (ROOT / "docs" / "contact-state.md").read_text(encoding="utf-8")
    section = text.split("## The table", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| event")]
    table = {}
    for line in rows:
        cells = [c.strip().replace(" ", "_") for c in line.strip("|").split("|")]
        table[cells[0].upper()] = dict(zip(STATES, cells[1:], strict=True))
    return table


def test_the_documented_table_is_the_code_s_table():
    documented = _doc_table()
    in_code = {
        event.name: {state: str(after) for state, after in row.items()} for event, row in TRANSITIONS.items()
    }
    assert documented == in_code


# --- what the events do besides the status --------------------------------------------------------
@pytest.mark.django_db
def test_erasure_leaves_a_keyed_hash_of_the_number_and_a_sign_up_lifts_it(settings):
    person = VolunteerFactory(phone="+447700900321")
    contact_event_record(phone=person.phone, event=Event.ERASE)
    (tombstone,) = ErasedNumber.objects.all()
    assert tombstone.phone_hash == number_hash("+447700900321")
    assert "7700900321" not in tombstone.phone_hash
    settings.CONTACT_TOMBSTONE_KEY = "another key"
    assert number_hash("+447700900321") != tombstone.phone_hash  # keyed: no key, no lookup


@pytest.mark.django_db
def test_stop_revokes_the_persons_links_and_start_gives_none_back(volunteer):
    token = page_link_issue(volunteer=volunteer).split("/")[2]
    assert page_link_find(token=token) is not None
    contact_event_record(phone=volunteer.phone, event=Event.STOP)
    contact_event_record(phone=volunteer.phone, event=Event.START)
    assert page_link_find(token=token) is None
    volunteer.refresh_from_db()
    assert volunteer.status == S.ACTIVE


@pytest.mark.django_db
def test_a_text_from_a_number_with_no_row_creates_nobody():
    transition = contact_event_record(phone="+447700900999", event=Event.AVAILABLE)
    assert (transition.before, transition.after, transition.volunteer_id) == (NONE, NONE, None)
    assert not Volunteer.objects.exists()


@pytest.mark.django_db
def test_unreachable_is_marked_only_while_it_lasts(volunteer):
    contact_event_record(phone=volunteer.phone, event=Event.UNREACHABLE)
    volunteer.refresh_from_db()
    assert volunteer.status == S.UNREACHABLE and volunteer.phone_unreachable_at is not None
    contact_event_record(phone=volunteer.phone, event=Event.PAUSE)  # a text from it: it works
    volunteer.refresh_from_db()
    assert volunteer.status == S.PAUSED and volunteer.phone_unreachable_at is None


# --- nobody else writes the status ---------------------------------------------------------------
_WRITE_METHODS = {"update", "create", "get_or_create", "update_or_create"}
_FIELD_LIST_METHODS = {"save", "bulk_update"}


def _chain(node: ast.AST) -> list[str]:
    """The names along a receiver chain, arguments left out: ``Volunteer.objects.filter(x=1).update``
    -> [Volunteer, objects, filter, update]; ``row.volunteer`` -> [row, volunteer]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            if isinstance(node, ast.Name):
                names.append(node.id)
            return names[::-1]


def _about_volunteers(node: ast.AST) -> bool:
    return any("volunteer" in name.lower() for name in _chain(node))


def _module_lists(tree: ast.Module) -> dict[str, set[str]]:
    """Module-level names bound to tuples or lists of strings (column lists), with their strings."""
    found: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple | ast.List):
            strings = {
                e.value for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
            }
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = strings
    return found


def _names_status(node: ast.AST | None, lists: dict[str, set[str]]) -> bool:
    """Whether ``node`` (a literal list of field names, or a module-level one by name) has "status"."""
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_names_status(e, lists) for e in node.elts)
    if isinstance(node, ast.Starred):
        return _names_status(node.value, lists)
    if isinstance(node, ast.Constant):
        return node.value == "status"
    if isinstance(node, ast.Name):
        return "status" in lists.get(node.id, set())
    return False


def _dict_has_status(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Dict) and any(
        isinstance(k, ast.Constant) and k.value == "status" for k in node.keys
    )


def _call_writes_status(call: ast.Call, lists: dict[str, set[str]]) -> bool:
    chain = _chain(call.func)
    method = chain[-1] if chain else ""
    keywords = {k.arg: k.value for k in call.keywords}
    if method == "setattr":
        return len(call.args) >= 2 and _about_volunteers(call.args[0]) and _names_status(call.args[1], lists)
    if method == "RowsInsert":
        return (
            bool(call.args)
            and _about_volunteers(call.args[0])
            and any(_names_status(a, lists) for a in call.args[1:])
        )
    if not _about_volunteers(call.func):
        return False
    if method in _WRITE_METHODS or method == "Volunteer":
        splatted = [k.value for k in call.keywords if k.arg is None]
        return (
            "status" in keywords
            or _dict_has_status(keywords.get("defaults"))
            or _dict_has_status(keywords.get("create_defaults"))
            or any(_dict_has_status(v) for v in splatted)
        )
    if method in _FIELD_LIST_METHODS:
        fields = (
            keywords.get("update_fields")
            or keywords.get("fields")
            or (call.args[1] if len(call.args) > 1 else None)
        )
        return _names_status(fields, lists)
    return False


def status_writes(source: str) -> list[int]:
    """The lines of ``source`` that write a volunteer's status."""
    tree = ast.parse(source)
    lists = _module_lists(tree)
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            flat = [
                t for target in targets for t in (target.elts if isinstance(target, ast.Tuple) else [target])
            ]
            if any(
                isinstance(t, ast.Attribute) and t.attr == "status" and _about_volunteers(t.value)
                for t in flat
            ):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and _call_writes_status(node, lists):
            lines.append(node.lineno)
    return sorted(set(lines))


def _app_modules() -> list[Path]:
    return sorted(p for app in APPS for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


def test_no_module_but_the_contact_state_writes_a_volunteers_status():
    writers = {
        f"{path.relative_to(ROOT)}:{line}"
        for path in _app_modules()
        if path.relative_to(ROOT) != OWNER
        for line in status_writes(path.read_text(encoding="utf-8"))
    }
    assert writers == set()


def test_the_scan_sees_the_owner_s_own_writes():
    assert status_writes((ROOT / OWNER).read_text(encoding="utf-8")) != []


WRITES = [
    'Volunteer.objects.filter(pk=1).update(status="active")',
    "volunteer.status = Volunteer.Status.PAUSED",
    'row.volunteer.status = "paused"',
    'volunteer.status, other = "paused", 1',
    'Volunteer(name="x", status="paused")',
    'Volunteer.objects.create(phone="+44", status="active")',
    'Volunteer.objects.update_or_create(phone="+44", defaults={"status": "active"})',
    'Volunteer.objects.filter(pk=1).update(**{"status": "active"})',
    'volunteer.save(update_fields=["status", "updated_at"])',
    'Volunteer.objects.bulk_update(rows, ["status"])',
    'setattr(volunteer, "status", "active")',
    'COLUMNS = ("name", "status")\nRowsInsert(Volunteer, COLUMNS)',
    'COLUMNS = ("name", "status")\nRowsInsert(Volunteer, (*COLUMNS, "phone"))',
]
READS = [
    'Volunteer.objects.filter(status="active").count()',
    'Volunteer.objects.exclude(status="opted_out").values("status")',
    'Offer.objects.filter(volunteer_id=1).update(status="declined")',
    'need.status = "open"',
    'group.save(update_fields=["status"])',
    'RowsInsert(Membership, ("volunteer", "group"))',
]


@pytest.mark.parametrize("source", WRITES)
def test_the_scan_catches_each_way_of_writing_the_status(source):
    assert status_writes(source) != [], source


@pytest.mark.parametrize("source", READS)
def test_the_scan_leaves_reads_and_other_models_alone(source):
    assert status_writes(source) == [], source


def test_the_scan_reads_the_real_module_lists():
    # The importer's column list is resolved by name: a "status" in it would be caught.
    source = (ROOT / "volunteers/importing/volunteer_import.py").read_text(encoding="utf-8")
    assert re.search(r"RowsInsert\(\s*Volunteer,\s*_NEW_PER_ROW", source)
    assert status_writes(source.replace('"consent_source",\n', '"consent_source",\n    "status",\n', 1)) != []
