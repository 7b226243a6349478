"""``import_volunteers``: the 2020 spreadsheets into the register, in batches.

Order of work: read and check every row (pure), look up groups and opted-out numbers, geocode
postcodes in batches, merge duplicate lines, then write batch by batch (each batch one
transaction). A dry run does all of it inside a transaction that is rolled back, so its report is
exactly what a real run would do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO

from django.utils import timezone

from volunteers.contact_state import REFUSED, ImportedState, contact_states_import, numbers_erased, state_next
from volunteers.geocoding import GeocodeError
from volunteers.geography import CELL_FIELDS, cell_fields
from volunteers.importing.batches import batches_write
from volunteers.importing.headers import VOLUNTEER_SYNONYMS
from volunteers.importing.inserting import RowsInsert, db_value, json_values
from volunteers.importing.places import places_find, point_key
from volunteers.importing.reading import FileProblem, table_read
from volunteers.importing.report import ImportReport
from volunteers.importing.rows import (
    CONSENT_COLUMNS,
    VOLUNTEER_COLUMNS,
    VOLUNTEER_OPTIONAL_COLUMNS,
    RowProblem,
    VolunteerRow,
    volunteer_row_parse,
)
from volunteers.importing.volunteer_states import (
    consent_source_for,
    import_event,
    new_states,
    state_change,
)
from volunteers.models import Membership, MutualAidGroup, Volunteer
from volunteers.phones import phone_mask
from volunteers.privacy import phones_blocked

BATCH_SIZE = 2000
S = Volunteer.Status


@dataclasses.dataclass
class _Located:
    row: VolunteerRow
    latitude: float
    longitude: float
    local_authority_id: int | None
    group_ids: list[int]


def _merge(earlier: _Located, later: _Located) -> _Located:
    """The later line's stated values win; a blank cell on it keeps the earlier line's value.
    Group memberships add up: the same person listed in two groups' sheets belongs to both."""
    merged_row = dataclasses.replace(later.row)
    for f in dataclasses.fields(VolunteerRow):
        if getattr(merged_row, f.name) is None and getattr(earlier.row, f.name) is not None:
            setattr(merged_row, f.name, getattr(earlier.row, f.name))
    if not later.row.postcode and not later.row.has_point:
        merged_row.postcode = earlier.row.postcode
    groups = list(dict.fromkeys([*earlier.group_ids, *later.group_ids]))
    return _Located(merged_row, later.latitude, later.longitude, later.local_authority_id, groups)


def volunteers_import(
    *,
    data: bytes,
    source: str,
    dry_run: bool = False,
    progress: TextIO | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import a volunteers file (the contract's columns). Raises FileProblem for an unreadable file."""
    table = table_read(
        data,
        required=("name", "phone"),
        known=VOLUNTEER_COLUMNS + VOLUNTEER_OPTIONAL_COLUMNS,
        synonyms=VOLUNTEER_SYNONYMS,
    )
    if "postcode" not in table.columns and not {"latitude", "longitude"} <= set(table.columns):
        raise FileProblem("The file needs a postcode column, or latitude and longitude columns.")
    report = ImportReport(
        kind="volunteers",
        source=source,
        dry_run=dry_run,
        encoding=table.encoding,
        rows=len(table.rows),
        ignored_columns=table.ignored_columns,
        understood=table.understood,
        rejected=list(table.unreadable),
        consent_columns=[c for c in (*CONSENT_COLUMNS, "consent_text") if c in table.columns],
    )
    # 1. Check each row on its own (pure).
    parsed = _rows_parse(table.rows, report)
    # 2. Group slugs and opted-out numbers, one query each.
    slugs = {slug for row in parsed for slug in row.groups}
    group_ids = dict(MutualAidGroup.objects.filter(slug__in=slugs).values_list("slug", "id"))
    blocked = phones_blocked(row.phone for row in parsed)
    erased = numbers_erased(phones=[row.phone for row in parsed])
    # 3. Places: postcodes in batches; points checked already, their council from the nearest postcode.
    located = _rows_locate(parsed, group_ids=group_ids, erased=erased, report=report)
    # 4. Duplicate lines: the phone is the identity.
    items = _duplicates_merge(located, report)
    # 5. Write, batch by batch.
    now = timezone.now()
    batches_write(
        items,
        size=batch_size,
        write=lambda batch: _batch_write(batch, report, blocked, source, now),
        dry_run=dry_run,
        progress=progress,
        label="volunteers",
    )
    report.rejected.sort()
    return report


def _rows_parse(rows: list[tuple[int, dict[str, str]]], report: ImportReport) -> list[VolunteerRow]:
    parsed: list[VolunteerRow] = []
    for line, cells in rows:
        try:
            parsed.append(volunteer_row_parse(line, cells))
        except RowProblem as exc:
            report.rejected.append((line, str(exc)))
    return parsed


def _row_refused(row: VolunteerRow, *, group_ids: dict[str, int], erased: set[str]) -> str:
    """Why the row may not come in wherever it is (an erased person, an unknown group), or ""."""
    if row.phone in erased and state_next(state=S.ERASED, event=import_event(row)) == REFUSED:
        return (
            "phone: this person asked for their data to be erased; they must not be re-added "
            "(only they can come back, by signing up at /join/)"
        )
    unknown = [slug for slug in row.groups if slug not in group_ids]
    if unknown:
        return f"groups: no group with the slug {', '.join(unknown)} (import the groups first)"
    return ""


def _rows_locate(
    parsed: list[VolunteerRow], *, group_ids: dict[str, int], erased: set[str], report: ImportReport
) -> list[_Located]:
    """Each row that may come in, with its place, council and groups; the others rejected."""
    places, council_near = places_find(parsed)
    located: list[_Located] = []
    for row in parsed:
        refused = _row_refused(row, group_ids=group_ids, erased=erased)
        if refused:
            report.rejected.append((row.line, refused))
            continue
        groups = [group_ids[slug] for slug in row.groups]
        if row.latitude is not None and row.longitude is not None:
            council = council_near.get(point_key(row.latitude, row.longitude))
            located.append(_Located(row, row.latitude, row.longitude, council, groups))
            continue
        place = places[row.postcode]
        if isinstance(place, GeocodeError):
            report.rejected.append((row.line, f"postcode: {place}"))
            continue
        if place.approximate:
            report.approximate.append(
                (
                    row.line,
                    f"{row.postcode} is not in the postcode table; placed at the centre of {place.district}",
                )
            )
        located.append(_Located(row, place.latitude, place.longitude, place.local_authority_id, groups))
    return located


def _duplicates_merge(located: list[_Located], report: ImportReport) -> list[_Located]:
    """One item per phone (the identity): a later line is merged into the earlier one, and reported."""
    by_phone: dict[str, _Located] = {}
    first_line: dict[str, int] = {}
    for item in located:
        phone = item.row.phone
        if phone in by_phone:
            report.duplicates.append((item.row.line, first_line[phone], f"same phone {phone_mask(phone)}"))
            by_phone[phone] = _merge(by_phone[phone], item)
        else:
            by_phone[phone] = item
            first_line[phone] = item.row.line
    return list(by_phone.values())


_COMPARED = ("skills", "languages", "dbs_expires_on", "has_car", "max_travel_km", "contact_by")
# What the "unchanged?" check reads of an existing volunteer: plain column values, no model instances
# (building 100,000 Volunteer objects only to find nothing changed cost a third of a re-import).
_CURRENT = (
    "id",
    "phone",
    "name",
    "latitude",
    "longitude",
    "postcode",
    "local_authority_id",
    *_COMPARED,
    "dbs_level",
    "status",
    "consent_channel",
)
# The values a new volunteer's row gives; every other column is the same for the whole batch. The
# status is not among them: a new row starts with the model's default and the contact state then
# applies the row's import event (volunteers.contact_state, the only writer of the status).
_NEW_PER_ROW = (
    "name",
    "phone",
    "postcode",
    "local_authority",
    "skills",
    "languages",
    "dbs_level",
    "dbs_expires_on",
    "has_car",
    "max_travel_km",
    "contact_by",
    "consent_at",
    "consent_text",
    "consent_source",
    "latitude",
    "longitude",
    *CELL_FIELDS,
)


def _batch_write(
    items: Sequence[_Located], report: ImportReport, blocked: dict[str, str], source: str, now: datetime
) -> None:
    current = {
        values[1]: dict(zip(_CURRENT, values, strict=True))
        for values in Volunteer.objects.filter(phone__in=[i.row.phone for i in items]).values_list(*_CURRENT)
    }
    new_items = [item for item in items if item.row.phone not in current]
    changes_by_id: dict[int, dict[str, Any]] = {}
    states: list[ImportedState] = []
    changed_phones: set[str] = set()
    for item in items:
        volunteer = current.get(item.row.phone)
        if volunteer is None:
            continue
        changes = _volunteer_changes(volunteer, item, source)
        if changes:
            changes_by_id[volunteer["id"]] = changes
        state = state_change(status=volunteer["status"], volunteer_id=volunteer["id"], row=item.row)
        if state is not None:
            states.append(state)
        if changes or state is not None:
            changed_phones.add(item.row.phone)
    if new_items:
        _volunteers_insert(new_items, source, now)
        born = new_states(rows=[i.row for i in new_items], blocked=blocked)
        report.opted_out += sum(1 for s in born if s.before == S.OPTED_OUT)
        states += born
        report.created += len(new_items)
    if changes_by_id:
        _volunteers_update(changes_by_id, now)
    contact_states_import(rows=states, now=now)
    added, joined = _memberships_add(items, current=current, new_items=new_items, now=now)
    report.memberships_created += added
    changed_phones |= joined
    report.updated += len(changed_phones)
    report.unchanged += len(current) - len(changed_phones)
    report.consent_unknown += sum(1 for i in new_items if i.row.consent_at is None)


def _volunteers_update(changes_by_id: dict[int, dict[str, Any]], now: datetime) -> None:
    """Few rows change on a re-import: load just those and let bulk_update write them."""
    to_update = Volunteer.objects.in_bulk(list(changes_by_id))
    changed_fields = {"updated_at"}
    for pk, changes in changes_by_id.items():
        for name, value in changes.items():
            setattr(to_update[pk], name, value)
        to_update[pk].updated_at = now
        changed_fields |= changes.keys()
    fields = sorted({"local_authority" if f == "local_authority_id" else f for f in changed_fields})
    Volunteer.objects.bulk_update(list(to_update.values()), fields)


def _memberships_add(
    items: Sequence[_Located],
    *,
    current: dict[str, dict[str, Any]],
    new_items: list[_Located],
    now: datetime,
) -> tuple[int, set[str]]:
    """Add the memberships the file gives that are not there yet: an import only ever adds them,
    never takes one away. Returns how many were added, and the phones of the volunteers already on
    the register (``current``) who joined a group."""
    # Only people the file puts in a group need their id; a new volunteer has no memberships yet.
    ids = {phone: v["id"] for phone, v in current.items()}
    joining = [i.row.phone for i in new_items if i.group_ids]
    if joining:
        ids.update(Volunteer.objects.filter(phone__in=joining).values_list("phone", "id"))
    have = set(
        Membership.objects.filter(volunteer_id__in=[v["id"] for v in current.values()]).values_list(
            "volunteer_id", "group_id"
        )
    )
    new_memberships = []
    joined: set[str] = set()
    for item in items:
        for group_id in item.group_ids:
            pair = (ids[item.row.phone], group_id)
            if pair not in have:
                have.add(pair)
                new_memberships.append(pair)
                if item.row.phone in current:
                    joined.add(item.row.phone)
    if new_memberships:
        RowsInsert(Membership, ("volunteer", "group"), {"joined_at": now}, ignore_conflicts=True).execute(
            new_memberships
        )
    return len(new_memberships), joined


def _volunteers_insert(items: list[_Located], source: str, now: datetime) -> None:
    """Insert new volunteers (one executemany). Consent is what the file says, and unknown where it
    says nothing (never the time of the import)."""
    insert = RowsInsert(
        Volunteer,
        _NEW_PER_ROW,
        {
            "availability": {},  # any time, until they say otherwise
            "consent_channel": Volunteer.ConsentChannel.IMPORT,
            "created_at": now,
            "updated_at": now,
        },
    )
    travel_default = Volunteer._meta.get_field("max_travel_km").get_default()
    skills, languages = json_values(Volunteer, "skills"), json_values(Volunteer, "languages")
    rows = []
    for item in items:
        row = item.row
        rows.append(
            (
                row.name,
                row.phone,
                row.postcode,
                item.local_authority_id,
                skills(row.skills or []),
                languages(row.languages or []),
                row.dbs or "none",
                None
                if row.dbs_expires_on is None
                else db_value(Volunteer, "dbs_expires_on", row.dbs_expires_on),
                bool(row.has_car),
                travel_default if row.max_travel_km is None else row.max_travel_km,
                row.contact_by or Volunteer.ContactBy.SMS,
                None if row.consent_at is None else db_value(Volunteer, "consent_at", row.consent_at),
                row.consent_text or "",
                consent_source_for(source=source, given=row.consent_source, known=row.consent_at is not None),
                item.latitude,
                item.longitude,
                *cell_fields(item.latitude, item.longitude).values(),
            )
        )
    insert.execute(rows)


def _volunteer_changes(volunteer: dict[str, Any], item: _Located, source: str) -> dict[str, Any]:
    """What the row changes on an existing volunteer (their current column values, _CURRENT):
    {field: new value}, empty when the row says nothing new. A value the row leaves blank (None)
    changes nothing. The status is the contact state's (``state_change``). Runs once per known
    volunteer on a re-import: kept to plain comparisons."""
    row = item.row
    changed: dict[str, Any] = {}
    if volunteer["name"] != row.name:
        changed["name"] = row.name
    changed.update(_place_changes(volunteer, item))
    for name in _COMPARED:
        value = getattr(row, name)
        if value is not None and volunteer[name] != value:
            changed[name] = value
    if row.dbs is not None and volunteer["dbs_level"] != row.dbs:
        changed["dbs_level"] = row.dbs
    if not volunteer["consent_channel"]:
        # Someone on the register without a consent record (added by staff): record the file's,
        # unknown where the file has no date.
        changed.update(
            consent_at=row.consent_at,
            consent_text=row.consent_text or "",
            consent_channel=Volunteer.ConsentChannel.IMPORT,
            consent_source=consent_source_for(
                source=source, given=row.consent_source, known=row.consent_at is not None
            ),
        )
    return changed


def _place_changes(volunteer: dict[str, Any], item: _Located) -> dict[str, Any]:
    """A new point moves the volunteer (and their cells), and their postcode goes with it, even a
    blank one; otherwise a postcode the row gives is kept. A council found replaces the old one."""
    moved = (
        volunteer["latitude"] is None
        or abs(volunteer["latitude"] - item.latitude) > 1e-7
        or abs(volunteer["longitude"] - item.longitude) > 1e-7
    )
    changed: dict[str, Any] = {}
    if moved:
        changed.update(latitude=item.latitude, longitude=item.longitude)
        changed.update(cell_fields(item.latitude, item.longitude))
    if (moved or item.row.postcode) and volunteer["postcode"] != item.row.postcode:
        changed["postcode"] = item.row.postcode
    la = item.local_authority_id
    if la is not None and volunteer["local_authority_id"] != la:
        changed["local_authority_id"] = la
    return changed
