"""Data rights, the register's part: what we hold about a volunteer, and erasing it.

The whole of a person's data spans every app, so the orchestrator lives at the top layer
(operations/data_rights.py) and composes each app's small functions. Code down here (the admin,
the importer) reaches it through the hooks below, which the top layer fills in at start-up:
the register must never import the apps above it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from volunteers.contact_state import Event, contact_state_apply
from volunteers.models import AuditEvent, Membership, Volunteer
from volunteers.signup import JOIN_SESSION_KEY, join_sends_key

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


# --- copies outside the register's rows: sign-ups in sessions, the cache, the admin's log ----------
def _sessions_with_signup(phone: str) -> list[tuple[Session, dict]]:
    """Stored sessions (expired ones too: they stay until ``clearsessions``) holding a sign-up for
    this number that was never finished. Reads every session: fine for a rare rights request."""
    found = []
    for session in Session.objects.iterator():
        data = session.get_decoded()  # {} for a session it cannot read (a retired key)
        pending = data.get(JOIN_SESSION_KEY)
        if isinstance(pending, dict) and pending.get("phone") == phone:
            found.append((session, pending))
    return found


def signup_subject_access(*, phone: str) -> dict[str, Any]:
    """A sign-up for this number left unfinished (what it held), and the codes texted this hour."""
    return {
        "unfinished_signups": [
            {
                "details": pending.get("details", {}),
                "consent_text": pending.get("consent_text", ""),
                "session_expires": _iso(session.expire_date),
            }
            for session, pending in _sessions_with_signup(phone)
        ],
        "signup_codes_texted_this_hour": int(cache.get(join_sends_key(phone)) or 0),
    }


def signup_traces_erase(*, phone: str) -> dict[str, int]:
    """Delete the sessions holding an unfinished sign-up for this number and its code counter."""
    sessions = _sessions_with_signup(phone)
    Session.objects.filter(pk__in=[s.pk for s, _ in sessions]).delete()
    cache.delete(join_sends_key(phone))
    return {"signup_sessions": len(sessions)}


def admin_log_erase(*, phone: str, volunteer_id: int | None = None) -> int:
    """The admin's change log keeps each object's name as it was when changed (a volunteer's
    name, an old text's number): those lines keep what was done, not to whom."""
    lines = LogEntry.objects.filter(object_repr__contains=phone)
    if volunteer_id is not None:
        lines = lines | LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Volunteer), object_id=str(volunteer_id)
        )
    return lines.update(object_repr="[erased]")


def audit_subject_access(*, targets: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """The audit lines about these records (a volunteer's row, a requester's needs): who, by
    organisation, read or changed what about them, and when."""
    if not targets:
        return []
    about = Q(pk__in=[])
    for label, pk in targets:
        about |= Q(target_type=label, target_id=str(pk))
    return [
        {
            "at": _iso(e.at),
            "action": e.action,
            "organisation": e.organisation.name if e.organisation else None,
        }
        for e in AuditEvent.objects.filter(about).select_related("organisation").order_by("at")
    ]
