"""Writes to the register. Each function is one thing a person or a command does."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.text import slugify

from volunteers.geography import postcode_district
from volunteers.models import AuditEvent, LocalAuthority, Organisation, Postcode, StaffRole
from volunteers.postcode_files import SHIPPED, PostcodeFileError, records_read

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: Model | None = None,
    organisation: Organisation | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one line of the audit log (reads of personal data, campaign starts, erasures...).
    Listeners registered by the apps above (staff alerts) hear of it in the same transaction."""
    event = AuditEvent.objects.create(
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        action=action,
        organisation=organisation,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        detail=detail or {},
    )
    for listener in _audit_listeners:
        listener(event=event, target=target)
    return event


# Apps above the register react to what the audit log records (operations tells staff when a need
# has nobody left or a campaign awaits approval). They register at start-up; the register never
# imports them.
AuditListener = Callable[..., None]  # (event=AuditEvent, target=Model | None) -> None
_audit_listeners: list[AuditListener] = []


def audit_listener_register(listener: AuditListener) -> None:
    if listener not in _audit_listeners:
        _audit_listeners.append(listener)


def local_authorities_resolve(*, names: Iterable[str]) -> list[LocalAuthority]:
    """Look up local authorities by name, slug or ONS code; raise ValidationError naming unknowns."""
    wanted = [n.strip() for n in names if n and n.strip()]
    found: list[LocalAuthority] = []
    unknown: list[str] = []
    by_key: dict[str, LocalAuthority] = {}
    for authority in LocalAuthority.objects.all():
        for key in (authority.name, authority.slug, authority.ons_code):
            if key:
                by_key[key.casefold()] = authority
    for name in wanted:
        la = by_key.get(name.casefold()) or by_key.get(slugify(name))
        if la is None:
            unknown.append(name)
        elif la not in found:
            found.append(la)
    if unknown:
        known = ", ".join(sorted(la.name for la in set(by_key.values())))
        raise ValidationError(f"Unknown local authority: {', '.join(unknown)}. Known: {known}.")
    return found


@dataclass
class StaffResult:
    user: User
    user_created: bool
    organisation_created: bool


@transaction.atomic
def staff_upsert(
    *,
    username: str,
    organisation_slug: str,
    role: str,
    covers: Iterable[str] = (),
    password: str | None = None,
    organisation_name: str | None = None,
    organisation_kind: str = Organisation.Kind.CHARITY,
) -> StaffResult:
    """Create or update a staff login and its role in an organisation (created if missing).

    ``covers`` adds local authorities to the organisation; it never removes any. A ``password``
    of None leaves an existing password alone (a new user gets an unusable one until set).
    """
    if role not in StaffRole.Role.values:
        raise ValidationError(f"Unknown role {role!r}: use one of {', '.join(StaffRole.Role.values)}.")
    slug = slugify(organisation_slug)
    if not slug:
        raise ValidationError("An organisation slug is needed.")
    areas = local_authorities_resolve(names=covers)
    organisation, org_created = Organisation.objects.get_or_create(
        slug=slug,
        defaults={
            "name": organisation_name or slug.replace("-", " ").title(),
            "kind": organisation_kind,
        },
    )
    if areas:
        organisation.local_authorities.add(*areas)
    user, user_created = get_user_model().objects.get_or_create(username=username)
    if password is not None:
        user.set_password(password)
    elif user_created:
        user.set_unusable_password()
    user.save()
    StaffRole.objects.update_or_create(user=user, organisation=organisation, defaults={"role": role})
    return StaffResult(user=user, user_created=user_created, organisation_created=org_created)


# --- postcodes ----------------------------------------------------------------------------------


@dataclass
class PostcodeLoadReport:
    loaded: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def postcodes_load(*, lines: Iterable[str], batch_size: int = 5000) -> PostcodeLoadReport:
    """Load a postcode file: the ONS Postcode Directory's columns (``pcds,lat,long``; ``oslaua``
    and ``oscty`` place it in a council when present) or OS Code-Point Open's own rows
    (volunteers.postcode_files reads both).

    Rows without a place (ONS marks terminated or unlocated postcodes with lat 99.999999,
    Code-Point Open with positional quality 90) and rows outside the UK are reported, not loaded;
    a postcode already in the table is updated. Raises ValidationError for a file in neither format.
    """
    report = PostcodeLoadReport()
    la_by_code = {la.ons_code: la.id for la in LocalAuthority.objects.exclude(ons_code="")}
    batch: list[Postcode] = []

    def flush() -> None:
        if batch:
            Postcode.objects.bulk_create(
                batch,
                update_conflicts=True,
                unique_fields=["postcode"],
                update_fields=["district", "latitude", "longitude", "local_authority"],
            )
            report.loaded += len(batch)
            batch.clear()

    try:
        for record in records_read(lines):
            if isinstance(record, tuple):
                report.rejected.append(record)
                continue
            council = next((la_by_code[c] for c in record.area_codes if c in la_by_code), None)
            batch.append(
                Postcode(
                    postcode=record.postcode,
                    district=postcode_district(record.postcode),
                    latitude=record.latitude,
                    longitude=record.longitude,
                    local_authority_id=council,
                )
            )
            if len(batch) >= batch_size:
                flush()
    except PostcodeFileError as exc:
        raise ValidationError(str(exc)) from None
    flush()
    return report


def postcodes_shipped_load(*, districts: Collection[str] | None = None) -> PostcodeLoadReport:
    """Load the West Midlands' postcodes shipped with Rekindle (volunteers/data/), or only those of
    ``districts`` (``{"B23", "WV1"}``: the demo needs a few, tests fewer still)."""
    with gzip.open(SHIPPED, "rt", encoding="utf-8", newline="") as handle:
        if districts is None:
            return postcodes_load(lines=handle)
        return postcodes_load(lines=_lines_in_districts(handle, set(districts)))


def _lines_in_districts(lines: Iterator[str], districts: set[str]) -> Iterator[str]:
    yield next(lines, "")  # the header
    for line in lines:
        if line.split(" ", 1)[0] in districts:
            yield line
