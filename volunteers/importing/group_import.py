"""``import_groups``: the 2020 groups, each with its contact as an organiser."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import TextIO

from django.db import DataError, transaction
from django.utils import timezone
from django.utils.text import slugify

from volunteers.contact_state import NONE, Event, contact_state_apply, numbers_erased
from volunteers.importing.batches import batches_write
from volunteers.importing.headers import GROUP_SYNONYMS
from volunteers.importing.reading import FileProblem, table_read
from volunteers.importing.report import ImportReport
from volunteers.importing.rows import (
    GROUP_COLUMNS,
    GROUP_OPTIONAL_COLUMNS,
    GroupRow,
    RowProblem,
    group_row_parse,
)
from volunteers.importing.volunteer_states import consent_source_for
from volunteers.models import LocalAuthority, Membership, MutualAidGroup, Organisation, Volunteer
from volunteers.privacy import phones_blocked

BATCH_SIZE = 500


def _council_index() -> dict[str, int]:
    index: dict[str, int] = {}
    for la in LocalAuthority.objects.all():
        for key in (la.name, la.slug, la.ons_code):
            if key:
                index[key.casefold()] = la.id
    return index


def groups_import(
    *,
    data: bytes,
    source: str,
    dry_run: bool = False,
    organisation: Organisation | None = None,
    progress: TextIO | None = None,
) -> ImportReport:
    """Import a groups file. ``organisation`` coordinates every group in it unless a row's own
    ``organisation`` column names another (by slug). Raises FileProblem for an unreadable file."""
    table = table_read(
        data,
        required=("name", "local_authority"),
        known=GROUP_COLUMNS + GROUP_OPTIONAL_COLUMNS,
        synonyms=GROUP_SYNONYMS,
    )
    if not {"latitude", "longitude"} <= set(table.columns):
        raise FileProblem("The file needs latitude and longitude columns (each group's centre).")
    report = ImportReport(
        kind="groups",
        source=source,
        dry_run=dry_run,
        encoding=table.encoding,
        rows=len(table.rows),
        ignored_columns=table.ignored_columns,
        understood=table.understood,
        rejected=list(table.unreadable),
    )
    org_slugs = {cells.get("organisation", "").strip().lower() for _, cells in table.rows} - {""}
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=org_slugs)}
    parsed = _rows_parse(table.rows, councils=_council_index(), organisations=organisations, report=report)
    blocked = phones_blocked(r.contact_phone for r in parsed if r.contact_phone)
    erased = numbers_erased(phones=[r.contact_phone for r in parsed if r.contact_phone])
    rows = _rows_allowed(parsed, erased=erased, report=report)
    now = timezone.now()
    batches_write(
        rows,
        size=BATCH_SIZE,
        write=lambda batch: _batch_write(batch, report, organisation, organisations, blocked, source, now),
        dry_run=dry_run,
        progress=progress,
        label="groups",
    )
    report.rejected.sort()
    return report


def _row_check(
    line: int, cells: dict[str, str], *, councils: dict[str, int], organisations: dict[str, Organisation]
) -> GroupRow:
    """The row parsed, its council found (kept as the council's id); raises RowProblem."""
    row = group_row_parse(line, cells)
    la = councils.get(row.local_authority.casefold()) or councils.get(slugify(row.local_authority))
    if la is None:
        raise RowProblem(f"local_authority: {row.local_authority!r} is not a local authority we know")
    row.local_authority = str(la)
    if row.organisation and row.organisation not in organisations:
        raise RowProblem(f"organisation: no organisation with the slug {row.organisation!r}")
    return row


def _rows_parse(
    rows: list[tuple[int, dict[str, str]]],
    *,
    councils: dict[str, int],
    organisations: dict[str, Organisation],
    report: ImportReport,
) -> list[GroupRow]:
    """The good rows, one per slug: a later line with the same slug wins, its blank cells filled
    from the earlier one (and the merge reported)."""
    parsed: dict[str, GroupRow] = {}
    first_line: dict[str, int] = {}
    for line, cells in rows:
        try:
            row = _row_check(line, cells, councils=councils, organisations=organisations)
        except RowProblem as exc:
            report.rejected.append((line, str(exc)))
            continue
        earlier = parsed.get(row.slug)
        if earlier is not None:
            report.duplicates.append((line, first_line[row.slug], f"same slug {row.slug}"))
            _blanks_fill(row, earlier)
        else:
            first_line[row.slug] = line
        parsed[row.slug] = row
    return list(parsed.values())


def _blanks_fill(row: GroupRow, earlier: GroupRow) -> None:
    for f in dataclasses.fields(GroupRow):
        if getattr(row, f.name) in (None, "") and getattr(earlier, f.name) not in (None, ""):
            setattr(row, f.name, getattr(earlier, f.name))


def _rows_allowed(parsed: list[GroupRow], *, erased: set[str], report: ImportReport) -> list[GroupRow]:
    """The rows that may come in: not one whose contact asked for their data to be erased (a
    tombstone holds their number: volunteers.contact_state)."""
    rows = []
    for row in parsed:
        if row.contact_phone in erased:
            report.rejected.append(
                (
                    row.line,
                    "contact_phone: this person asked for their data to be erased; "
                    "remove the contact and import the row again",
                )
            )
        else:
            rows.append(row)
    return rows


def _batch_write(
    rows: Sequence[GroupRow],
    report: ImportReport,
    organisation: Organisation | None,
    organisations: dict[str, Organisation],
    blocked: dict[str, str],
    source: str,
    now: datetime,
) -> None:
    existing = {g.slug: g for g in MutualAidGroup.objects.filter(slug__in=[r.slug for r in rows])}
    contacts = {
        v.phone: v
        for v in Volunteer.objects.filter(phone__in=[r.contact_phone for r in rows if r.contact_phone])
    }
    for row in rows:
        org = organisations.get(row.organisation) if row.organisation else organisation
        had_contact, memberships = row.contact_phone in contacts, report.memberships_created
        try:
            # A savepoint per row: a value the database still refuses (the checks in rows.py come
            # first) costs that line, never the good rows around it.
            with transaction.atomic():
                outcome = _row_write(row, existing, org, contacts, blocked, source, now, report)
        except DataError as exc:
            # The savepoint undid the row: forget what it made, so later rows do not lean on it.
            existing.pop(row.slug, None)
            if not had_contact:
                contacts.pop(row.contact_phone, None)
            report.memberships_created = memberships
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
            report.rejected.append((row.line, f"a value does not fit the database ({first_line})"))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)


def _row_write(
    row: GroupRow,
    existing: dict[str, MutualAidGroup],
    org: Organisation | None,
    contacts: dict[str, Volunteer],
    blocked: dict[str, str],
    source: str,
    now: datetime,
    report: ImportReport,
) -> str:
    """Write one group row; "created", "updated" or "unchanged"."""
    group = existing.get(row.slug)
    is_new = group is None
    if group is None:
        group = MutualAidGroup(slug=row.slug, created_at=now)
    changed = _group_update(group, row, org) or is_new
    if changed:
        group.save()
    contact_changed = bool(row.contact_phone) and _contact_attach(
        group, row, contacts, blocked, source, now, report
    )
    if is_new:
        existing[row.slug] = group
        return "created"
    return "updated" if changed or contact_changed else "unchanged"


def _group_update(group: MutualAidGroup, row: GroupRow, org: Organisation | None) -> bool:
    """Put what the row says on ``group`` (unsaved); True when that changed anything."""
    values: dict[str, object] = {
        "name": row.name,
        "kind": row.kind,
        "local_authority_id": int(row.local_authority),
        "radius_km": row.radius_km,
        "notes": row.notes,
    }
    if org is not None:
        values["organisation_id"] = org.id
    # A group being woken up (or retired) belongs to that process; the file does not override it.
    if row.status is not None and group.status in (
        MutualAidGroup.Status.ACTIVE,
        MutualAidGroup.Status.DORMANT,
    ):
        values["status"] = row.status
    changed = False
    for name, value in values.items():
        if value is not None and getattr(group, name) != value:
            setattr(group, name, value)
            changed = True
    if group.latitude != row.latitude or group.longitude != row.longitude:
        group.set_location(row.latitude, row.longitude)
        changed = True
    return changed


def _contact_attach(
    group: MutualAidGroup,
    row: GroupRow,
    contacts: dict[str, Volunteer],
    blocked: dict[str, str],
    source: str,
    now: datetime,
    report: ImportReport,
) -> bool:
    """The group's contact becomes a volunteer (the phone is the identity) and its organiser."""
    changed = False
    volunteer = contacts.get(row.contact_phone)
    if volunteer is None:
        # The file says nothing of when or how the contact agreed: their consent is unknown, and
        # they are asked to re-consent before any offer or campaign message.
        volunteer = Volunteer(
            name=row.contact_name,
            phone=row.contact_phone,
            local_authority_id=group.local_authority_id,
            consent_at=None,
            consent_channel=Volunteer.ConsentChannel.IMPORT,
            consent_source=consent_source_for(source=source, given=f"contact of {group.slug}", known=False),
        )
        # Until they tell us where they live, a contact is placed at their group's centre.
        volunteer.set_location(group.latitude, group.longitude)
        volunteer.save()
        before = Volunteer.Status.OPTED_OUT if row.contact_phone in blocked else NONE
        contact_state_apply(volunteer=volunteer, event=Event.IMPORT_ACTIVE, before=before, now=now)
        contacts[row.contact_phone] = volunteer
        changed = True
    membership = Membership.objects.filter(volunteer=volunteer, group=group).first()
    if membership is None:
        Membership.objects.create(
            volunteer=volunteer, group=group, role=Membership.Role.ORGANISER, joined_at=now
        )
        report.memberships_created += 1
        changed = True
    elif membership.role != Membership.Role.ORGANISER:
        membership.role = Membership.Role.ORGANISER
        membership.save(update_fields=["role"])
        changed = True
    return changed
