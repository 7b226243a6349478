"""Exports of the register, as CSV or JSON, for the API and the ``export_data`` command.

Scope: a coordinator exports only their own organisations' people. A volunteer belongs to an
organisation through membership of one of its groups (Membership -> MutualAidGroup.organisation).
Never in a bulk export: requesters' details (needs are not exported here at all), volunteers who
opted out or were erased (their numbers must not leak into a spreadsheet someone texts from),
consent wording (it is the same text for everyone; the date and channel are enough).
Every export is written to the audit log.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from volunteers.importing.rows import GROUP_COLUMNS
from volunteers.models import Membership, MutualAidGroup, Organisation, Volunteer
from volunteers.services import audit_record

FORMATS = ("csv", "json")

# The import's columns first, so an export can be imported elsewhere as it is.
VOLUNTEER_FIELDS = (
    "name",
    "phone",
    "postcode",
    "latitude",
    "longitude",
    "skills",
    "languages",
    "dbs",
    "has_car",
    "groups",
    "status",
    "local_authority",
    "dbs_expires_on",
    "max_travel_km",
    "availability",
    "consent_at",
    "consent_channel",
    "last_active_at",
)
# The import's columns first, so an exported file can be imported again as it is.
GROUP_FIELDS = (*GROUP_COLUMNS, "organisation", "services", "assets", "members", "last_verified_at")


@dataclass(frozen=True)
class Export:
    content: str
    rows: int
    fmt: str
    filename: str

    @property
    def content_type(self) -> str:
        return "text/csv; charset=utf-8" if self.fmt == "csv" else "application/json"


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True) if value else ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else value


def _json_value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _formula_safe(value: Any) -> Any:
    # A cell starting with = + - @ runs as a formula when the CSV is opened in Excel (CSV injection).
    # Phone numbers (+44...) and negative longitudes are data, so only text that is not a number is guarded.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def rows_render(*, rows: Sequence[dict[str, Any]], fields: Sequence[str], fmt: str, name: str) -> Export:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}: use csv or json.")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    if fmt == "json":
        content = json.dumps(
            [{k: _json_value(row[k]) for k in fields} for row in rows], ensure_ascii=False, indent=1
        )
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(fields)
        for row in rows:
            writer.writerow([_formula_safe(_cell(row[k])) for k in fields])
        content = out.getvalue()
    return Export(content=content, rows=len(rows), fmt=fmt, filename=f"{name}-{stamp}.{fmt}")


def _audit(actor, action: str, organisations: Iterable[Organisation], export: Export) -> None:
    orgs = list(organisations)
    audit_record(
        actor=actor,
        action=action,
        organisation=orgs[0] if len(orgs) == 1 else None,
        detail={"format": export.fmt, "rows": export.rows, "organisations": sorted(o.slug for o in orgs)},
    )


def volunteers_for_organisations(
    *, organisations: QuerySet[Organisation] | Iterable[Organisation]
) -> QuerySet:
    return (
        Volunteer.objects.filter(memberships__group__organisation__in=organisations, erased_at__isnull=True)
        .exclude(status=Volunteer.Status.OPTED_OUT)
        .distinct()
    )


def volunteers_export(
    *, organisations: Iterable[Organisation], fmt: str, actor: AbstractBaseUser | None = None
) -> Export:
    """The volunteers of ``organisations``' groups; ``groups`` lists only those organisations' groups."""
    organisations = list(organisations)
    org_ids = {o.id for o in organisations}
    volunteers = (
        volunteers_for_organisations(organisations=organisations)
        .select_related("local_authority")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(group__organisation_id__in=org_ids).select_related(
                    "group"
                ),
                to_attr="own_memberships",
            )
        )
        .order_by("name", "id")
    )
    rows = [
        {
            "name": v.name,
            "phone": v.phone,
            "postcode": v.postcode,
            "latitude": v.latitude,
            "longitude": v.longitude,
            "skills": v.skills,
            "languages": v.languages,
            "dbs": v.dbs_level,
            "has_car": v.has_car,
            "groups": sorted(m.group.slug for m in v.own_memberships),
            "status": v.status,
            "local_authority": v.local_authority.name if v.local_authority else "",
            "dbs_expires_on": v.dbs_expires_on,
            "max_travel_km": v.max_travel_km,
            "availability": v.availability,
            "consent_at": v.consent_at,
            "consent_channel": v.consent_channel,
            "last_active_at": v.last_active_at,
        }
        for v in volunteers
    ]
    export = rows_render(rows=rows, fields=VOLUNTEER_FIELDS, fmt=fmt, name="volunteers")
    _audit(actor, "export.volunteers", organisations, export)
    return export


def groups_export(
    *, organisations: Iterable[Organisation], fmt: str, actor: AbstractBaseUser | None = None
) -> Export:
    """The groups ``organisations`` coordinate, with their organiser as contact (the import's columns)."""
    organisations = list(organisations)
    groups = (
        MutualAidGroup.objects.filter(organisation__in=organisations)
        .select_related("local_authority", "organisation")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("volunteer").order_by("joined_at", "id"),
            )
        )
        .order_by("name", "id")
    )
    rows = []
    for g in groups:
        members = [m for m in g.memberships.all() if m.volunteer.erased_at is None]
        contact = next(
            (
                m.volunteer
                for m in members
                if m.role == Membership.Role.ORGANISER and m.volunteer.status != Volunteer.Status.OPTED_OUT
            ),
            None,
        )
        rows.append(
            {
                "name": g.name,
                "slug": g.slug,
                "kind": g.kind,
                "local_authority": g.local_authority.name,
                "latitude": g.latitude,
                "longitude": g.longitude,
                "radius_km": g.radius_km,
                "status": g.status,
                "contact_name": contact.name if contact else "",
                "contact_phone": contact.phone if contact else "",
                "notes": g.notes,
                "organisation": g.organisation.slug if g.organisation else "",
                "services": g.services,
                "assets": g.assets,
                "members": len(members),
                "last_verified_at": g.last_verified_at,
            }
        )
    export = rows_render(rows=rows, fields=GROUP_FIELDS, fmt=fmt, name="groups")
    _audit(actor, "export.groups", organisations, export)
    return export
