"""Writes for the register's pages: correcting a group or a volunteer, and pausing or resuming a
volunteer (their contact state is volunteers/contact_state.py's to write; this only tells it what
happened). Every change is audited with the names of the fields changed, never their values.
The callers have checked the person may (volunteers/register.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction

from volunteers.contact_state import Event, Transition, contact_state_apply
from volunteers.geocoding import GeocodeError, geocode_postcode
from volunteers.models import MutualAidGroup, Organisation, Volunteer
from volunteers.phones import phone_is_landline
from volunteers.services import audit_record

Actor = AbstractBaseUser | AnonymousUser

VOLUNTEER_FIELDS = (
    "name",
    "email",
    "postcode",
    "skills",
    "languages",
    "dbs_level",
    "dbs_expires_on",
    "has_car",
    "max_travel_km",
    "contact_by",
)
GROUP_FIELDS = ("name", "kind", "local_authority", "radius_km", "notes")


def _organisation_of(volunteer: Volunteer) -> Organisation | None:
    groups = [m.group for m in volunteer.memberships.all() if m.group.organisation_id]
    return groups[0].organisation if groups else None


def _relocate(volunteer: Volunteer, postcode: str) -> None:
    try:
        place = geocode_postcode(postcode, allow_district=False)
    except GeocodeError as exc:
        raise ValidationError({"postcode": [str(exc)]}) from None
    volunteer.postcode = place.postcode or postcode.upper()
    volunteer.set_location(place.latitude, place.longitude)
    if place.local_authority_id:
        volunteer.local_authority_id = place.local_authority_id


@transaction.atomic
def volunteer_update(*, volunteer: Volunteer, actor: Actor, changes: dict[str, Any]) -> list[str]:
    """Correct ``volunteer``'s profile with ``changes`` (only VOLUNTEER_FIELDS; a new postcode
    moves them to it). Returns the fields that changed. Raises ValidationError for a postcode that
    cannot be placed, or texts chosen for a landline (nothing is written)."""
    changed = [f for f in VOLUNTEER_FIELDS if f in changes and changes[f] != getattr(volunteer, f)]
    if not changed:
        return []
    for name in changed:
        if name != "postcode":
            setattr(volunteer, name, changes[name])
    if "postcode" in changed:
        _relocate(volunteer, changes["postcode"])
    if volunteer.contact_by == Volunteer.ContactBy.SMS and phone_is_landline(volunteer.phone):
        raise ValidationError(
            {"contact_by": "This number is a landline: it cannot take texts, so they can only be called."}
        )
    volunteer.full_clean(exclude=["phone"])
    fields = [f for f in changed if f != "postcode"]
    if "postcode" in changed:
        fields += ["postcode", "latitude", "longitude", "local_authority"]
    # Only what changed: the status (contact_state.py's) and the rest are left as they are now.
    volunteer.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor,
        action="volunteer.update",
        target=volunteer,
        organisation=_organisation_of(volunteer),
        detail={"fields": changed},
    )
    return changed


@transaction.atomic
def volunteer_pause_set(*, volunteer: Volunteer, actor: Actor, paused: bool) -> Transition:
    """Pause (no offers, no calls) or resume ``volunteer`` for them, as texting PAUSE or AVAILABLE
    would; the contact-state table decides (an opted-out person stays opted out)."""
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    transition = contact_state_apply(volunteer=locked, event=Event.PAUSE if paused else Event.AVAILABLE)
    volunteer.refresh_from_db(fields=["status"])
    audit_record(
        actor=actor,
        action="volunteer.pause" if paused else "volunteer.resume",
        target=volunteer,
        organisation=_organisation_of(volunteer),
        detail={"before": transition.before, "after": transition.after},
    )
    return transition


@transaction.atomic
def group_update(*, group: MutualAidGroup, actor: Actor, changes: dict[str, Any]) -> list[str]:
    """Correct ``group``'s record with ``changes`` (only GROUP_FIELDS: its status is the
    reactivation's to change). Returns the fields that changed."""
    changed = [f for f in GROUP_FIELDS if f in changes and changes[f] != getattr(group, f)]
    if not changed:
        return []
    for name in changed:
        setattr(group, name, changes[name])
    group.full_clean()
    group.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=actor,
        action="group.update",
        target=group,
        organisation=group.organisation,
        detail={"fields": changed},
    )
    return changed


def register_contact_read_record(*, actor: Actor, volunteer_ids: list[int], path: str) -> None:
    """A page of the register showed these volunteers' numbers: one audit line naming them all."""
    if volunteer_ids:
        audit_record(
            actor=actor,
            action="volunteer.contact.read",
            detail={"volunteer_ids": sorted(volunteer_ids), "path": path},
        )
