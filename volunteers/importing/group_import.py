"""``import_groups``: the 2020 groups, each with its contact as an organiser."""

from __future__ import annotations

import dataclasses
from typing import TextIO

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from volunteers.importing.progress import Progress
from volunteers.importing.reading import FileProblem, table_read
from volunteers.importing.report import ImportReport
from volunteers.importing.rows import (
    GROUP_COLUMNS,
    GROUP_OPTIONAL_COLUMNS,
    GroupRow,
    RowProblem,
    group_row_parse,
)
from volunteers.importing.volunteer_import import ERASURE_SOURCE, consent_text_default
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
        data, required=("name", "local_authority"), known=GROUP_COLUMNS + GROUP_OPTIONAL_COLUMNS
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
    )
    councils = _council_index()
    org_slugs = {cells.get("organisation", "").strip().lower() for _, cells in table.rows} - {""}
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=org_slugs)}

    parsed: dict[str, GroupRow] = {}
    first_line: dict[str, int] = {}
    for line, cells in table.rows:
        try:
            row = group_row_parse(line, cells)
            la = councils.get(row.local_authority.casefold()) or councils.get(slugify(row.local_authority))
            if la is None:
                raise RowProblem(f"local_authority: {row.local_authority!r} is not a local authority we know")
            row.local_authority = str(la)
            if row.organisation and row.organisation not in organisations:
                raise RowProblem(f"organisation: no organisation with the slug {row.organisation!r}")
        except RowProblem as exc:
            report.rejected.append((line, str(exc)))
            continue
        if row.slug in parsed:
            earlier = parsed[row.slug]
            report.duplicates.append((line, first_line[row.slug], f"same slug {row.slug}"))
            for f in dataclasses.fields(GroupRow):
                if getattr(row, f.name) in (None, "") and getattr(earlier, f.name) not in (None, ""):
                    setattr(row, f.name, getattr(earlier, f.name))
        else:
            first_line[row.slug] = line
        parsed[row.slug] = row

    blocked = phones_blocked(r.contact_phone for r in parsed.values() if r.contact_phone)
    rows = []
    for row in parsed.values():
        if blocked.get(row.contact_phone) == ERASURE_SOURCE:
            report.rejected.append(
                (
                    row.line,
                    "contact_phone: this person asked for their data to be erased; "
                    "remove the contact and import the row again",
                )
            )
        else:
            rows.append(row)

    bar = Progress(len(rows), stream=progress, label="groups")
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            with transaction.atomic():
                _batch_write(batch, report, organisation, organisations, blocked, source, now)
            bar.advance(len(batch))
        if dry_run:
            transaction.set_rollback(True)
    bar.close()
    report.rejected.sort()
    return report


def _batch_write(rows, report, organisation, organisations, blocked, source, now) -> None:
    existing = {g.slug: g for g in MutualAidGroup.objects.filter(slug__in=[r.slug for r in rows])}
    contacts = {
        v.phone: v
        for v in Volunteer.objects.filter(phone__in=[r.contact_phone for r in rows if r.contact_phone])
    }
    for row in rows:
        org = organisations.get(row.organisation) if row.organisation else organisation
        group = existing.get(row.slug)
        changed = False
        if group is None:
            group = MutualAidGroup(slug=row.slug, created_at=now)
            changed = True
        values = {
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
        for name, value in values.items():
            if value is not None and getattr(group, name) != value:
                setattr(group, name, value)
                changed = True
        if group.latitude != row.latitude or group.longitude != row.longitude:
            group.set_location(row.latitude, row.longitude)
            changed = True
        is_new = group.pk is None
        if changed:
            group.save()
        contact_changed = False
        if row.contact_phone:
            contact_changed = _contact_attach(group, row, contacts, blocked, source, now, report)
        if is_new:
            report.created += 1
        elif changed or contact_changed:
            report.updated += 1
        else:
            report.unchanged += 1


def _contact_attach(group, row, contacts, blocked, source, now, report) -> bool:
    """The group's contact becomes a volunteer (the phone is the identity) and its organiser."""
    changed = False
    volunteer = contacts.get(row.contact_phone)
    if volunteer is None:
        volunteer = Volunteer(
            name=row.contact_name,
            phone=row.contact_phone,
            local_authority_id=group.local_authority_id,
            status=Volunteer.Status.OPTED_OUT if row.contact_phone in blocked else Volunteer.Status.ACTIVE,
            consent_at=now,
            consent_text=consent_text_default(source, now.date()),
            consent_channel=Volunteer.ConsentChannel.IMPORT,
            consent_source=f"import_groups {source} (contact of {group.slug})"[:200],
        )
        # Until they tell us where they live, a contact is placed at their group's centre.
        volunteer.set_location(group.latitude, group.longitude)
        volunteer.save()
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
