"""Data rights, the register's part: what we hold about a volunteer, and erasing it.

The whole of a person's data spans every app, so the orchestrator lives at the top layer
(operations/data_rights.py) and composes each app's small functions. Code down here (the admin,
the importer) reaches it through the hooks below, which the top layer fills in at start-up:
the register must never import the apps above it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone

from volunteers.contact_state import Event, contact_state_apply
from volunteers.models import Membership, Volunteer

ERASED_NAME = "Erased volunteer"

# --- hooks filled in by the top layer ------------------------------------------------------------
_hooks: dict[str, Callable[..., Any]] = {}


def rights_register(
    *,
    subject_access: Callable[..., dict],
    erase: Callable[..., dict],
    phones_blocked: Callable[[Iterable[str]], dict[str, str]],
) -> None:
    """Called once from the top layer's AppConfig.ready()."""
    _hooks.update(subject_access=subject_access, erase=erase, phones_blocked=phones_blocked)


def rights_hook(name: str) -> Callable[..., Any]:
    try:
        return _hooks[name]
    except KeyError:
        raise LookupError(
            f"No data-rights handler {name!r} is registered (is the reactivation app installed?)"
        ) from None


def phones_blocked(phones: Iterable[str]) -> dict[str, str]:
    """{phone: opt-out source} for the numbers that have opted out or been erased."""
    hook = _hooks.get("phones_blocked")
    return hook(phones) if hook is not None else {}


# --- the volunteer's part ----------------------------------------------------------------------
def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def volunteer_subject_access(*, phone: str) -> dict | None:
    """Everything the register holds about the volunteer with this number, or None."""
    volunteer = Volunteer.objects.select_related("local_authority").filter(phone=phone).first()
    if volunteer is None:
        return None
    fields = [
        "name",
        "phone",
        "email",
        "postcode",
        "latitude",
        "longitude",
        "skills",
        "languages",
        "dbs_level",
        "dbs_expires_on",
        "has_car",
        "max_travel_km",
        "availability",
        "max_open_assignments",
        "status",
        "consent_at",
        "consent_text",
        "consent_channel",
        "consent_source",
        "phone_unreachable_at",
        "last_active_at",
        "created_at",
        "updated_at",
    ]
    record = {name: _iso(getattr(volunteer, name)) for name in fields}
    record["id"] = volunteer.id
    record["local_authority"] = volunteer.local_authority.name if volunteer.local_authority else None
    record["memberships"] = [
        {
            "group": m.group.name,
            "group_slug": m.group.slug,
            "organisation": m.group.organisation.name if m.group.organisation else None,
            "role": m.role,
            "joined_at": _iso(m.joined_at),
        }
        for m in volunteer.memberships.select_related("group__organisation").order_by("joined_at")
    ]
    return record


def erased_phone_for(volunteer_id: int) -> str:
    """A unique stand-in for an erased volunteer's number. Country code 999 is reserved by the ITU
    and never assigned, so it can reach nobody; it keeps the unique phone column unique."""
    return f"+999{volunteer_id:010d}"


def volunteer_erase(*, volunteer: Volunteer) -> dict[str, int]:
    """Anonymise a volunteer in place. Call inside a transaction.

    The row stays (offers, assignments and campaign rows point at it, and the counts must stay
    true), but nothing in it identifies the person: the name, number, email, postcode, point,
    skills, languages, DBS record and availability go; the local authority stays for area counts.
    Group memberships are deleted: which group someone belonged to can reveal their faith.
    The consent record goes with the person (its date and channel stay as a statistic). The state
    becomes erased (volunteers.contact_state): their links are revoked and the number leaves a
    tombstone (a keyed hash) that refuses its re-import.
    """
    contact_state_apply(volunteer=volunteer, event=Event.ERASE)
    memberships, _ = Membership.objects.filter(volunteer=volunteer).delete()
    volunteer.name = ERASED_NAME
    volunteer.phone = erased_phone_for(volunteer.id)
    volunteer.email = ""
    volunteer.postcode = ""
    volunteer.set_location(None, None)
    volunteer.skills = []
    volunteer.languages = []
    volunteer.dbs_level = "none"
    volunteer.dbs_expires_on = None
    volunteer.has_car = False
    volunteer.availability = {}
    volunteer.consent_text = ""
    volunteer.consent_source = ""
    volunteer.erased_at = timezone.now()
    volunteer.save()
    return {"volunteers": 1, "memberships": memberships}
