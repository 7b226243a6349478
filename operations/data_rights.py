"""UK GDPR rights for everyone in the register, composed from each app's own part.

Layering: every app holds a share of a person's data, so each app has its own small functions
(volunteers/privacy.py, messaging/privacy.py, voice/privacy.py, needs/privacy.py, reactivation/privacy.py) and only
this module, at the top layer, knows all of them. The admin (volunteers) reaches it through the
hooks that ``rights_connect`` registers at start-up.

* ``subject_access``: everything held about a phone number, as one JSON-ready document.
* ``person_erase``: personal data removed or anonymised, counts kept, the number kept on the
  opt-out list (source "erasure") so that it is never texted again.
* ``requesters_erase_due``: the scheduled job blanking requester details N days after a need
  closes (``REQUESTER_ERASURE_DAYS``, default 30), with every copy of them.

docs/privacy.md maps every place a person's data is kept; each function here covers all of them
(the copies outside an app's own rows, in ``_copies_subject_access`` and ``_copies_erase``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from messaging import privacy as messaging_privacy
from messaging.phone_recordings import RecordingUnavailable
from needs import privacy as needs_privacy
from needs.models import Need
from reactivation import privacy as reactivation_privacy
from voice import privacy as voice_privacy
from volunteers import privacy as volunteers_privacy
from volunteers.contact_state import Event, contact_event_record
from volunteers.models import Volunteer
from volunteers.phones import InvalidPhone, phone_mask, phone_normalise
from volunteers.services import audit_record


class RightsError(ValueError):
    """A rights request that cannot be carried out as asked; the message says why."""


def phone_for_rights(raw: str) -> str:
    """A number as the person gives it, in E.164. Landlines are allowed: requesters may use one."""
    try:
        return phone_normalise(raw)
    except InvalidPhone as exc:
        raise RightsError(str(exc)) from None


def subject_access(*, phone: str, actor: AbstractBaseUser | None = None) -> dict:
    """Everything held about ``phone``: one document for a subject access request (SAR)."""
    phone = phone_for_rights(phone)
    volunteer_record = volunteers_privacy.volunteer_subject_access(phone=phone)
    volunteer_id = volunteer_record["id"] if volunteer_record else None
    need_ids = [need_id for need_id, _ in needs_privacy.requester_needs_held(phone=phone)]
    document = {
        "about": phone,
        "generated_at": timezone.now().isoformat(),
        "controller_note": (
            "Everything this service holds about this phone number. Requester details are erased "
            f"{settings.REQUESTER_ERASURE_DAYS} days after a request for help closes."
        ),
        "volunteer": volunteer_record,
        "offers": needs_privacy.offers_subject_access(volunteer_id=volunteer_id) if volunteer_id else [],
        "needs_as_requester": needs_privacy.requester_subject_access(phone=phone),
        **messaging_privacy.messaging_subject_access(
            phone=phone, volunteer_id=volunteer_id, about=[needs_privacy.need_about(i) for i in need_ids]
        ),
        **(
            reactivation_privacy.campaigns_subject_access(volunteer_id=volunteer_id)
            if volunteer_id
            else {"campaigns": [], "readiness_checks": []}
        ),
        **voice_privacy.calls_subject_access(phone=phone),
        **_copies_subject_access(phone=phone, volunteer_id=volunteer_id, need_ids=need_ids),
    }
    audit_record(
        actor=actor,
        action="data_rights.subject_access",
        target=Volunteer.objects.filter(id=volunteer_id).first() if volunteer_id else None,
        detail={
            "phone": phone_mask(phone),
            "volunteer": volunteer_id is not None,
            "needs_as_requester": len(document["needs_as_requester"]),
            "messages": len(document["messages_sent_to_them"])
            + len(document["messages_from_them"])
            + len(document["messages_about_them"]),
        },
    )
    return document


def _copies_subject_access(*, phone: str, volunteer_id: int | None, need_ids: list[int]) -> dict:
    """What is held about the number outside the apps' own rows: an unfinished sign-up in a
    session, the code counter in the cache, and the audit lines about their records."""
    targets = [(Need._meta.label, i) for i in need_ids]
    if volunteer_id is not None:
        targets.append((Volunteer._meta.label, volunteer_id))
    return {
        **volunteers_privacy.signup_subject_access(phone=phone),
        "audit_about_them": volunteers_privacy.audit_subject_access(targets=targets),
    }


def person_erase(
    *, phone: str, actor: AbstractBaseUser | None = None, requester_only: bool = False
) -> dict[str, object]:
    """Erase what is held about ``phone``: as a volunteer and as a requester (or, with
    ``requester_only``, only as a requester, leaving a volunteer record with that number alone).

    Idempotent: erasing twice finds nothing the second time and keeps the opt-out. All or nothing:
    RightsError, with nothing changed, when Twilio cannot delete a recording of their calls.
    """
    try:
        return _person_erase(phone=phone, actor=actor, requester_only=requester_only)
    except RecordingUnavailable as exc:
        raise RightsError(str(exc)) from None


@transaction.atomic
def _person_erase(*, phone: str, actor: AbstractBaseUser | None, requester_only: bool) -> dict[str, object]:
    phone = phone_for_rights(phone)
    held = _held_for(phone=phone, requester_only=requester_only)  # before the rows are blanked
    result: dict[str, object] = {"phone": phone_mask(phone), "requester_only": requester_only}
    volunteer = None if requester_only else Volunteer.objects.select_for_update().filter(phone=phone).first()
    if volunteer is not None:
        result.update(reactivation_privacy.campaigns_erase(volunteer_id=volunteer.id))
        result.update(messaging_privacy.messaging_erase(phone=phone, volunteer_id=volunteer.id))
        result.update(voice_privacy.calls_erase(phone=phone))
        result.update(volunteers_privacy.volunteer_erase(volunteer=volunteer))
    elif requester_only and Volunteer.objects.filter(phone=phone).exists():
        # The texts to this number are the volunteer's too: they stay, and the number is not blocked.
        result["volunteer_kept"] = True
    else:
        result.update(messaging_privacy.messaging_erase(phone=phone))
        result.update(voice_privacy.calls_erase(phone=phone))
        # No volunteer row, but the number leaves the same tombstone: it is never imported again.
        contact_event_record(phone=phone, event=Event.ERASE)
    result.update(needs_privacy.requester_erase(phone=phone))
    result.update(_copies_erase(phone=phone, volunteer=volunteer, held=held))
    audit_record(actor=actor, action="data_rights.erasure", target=volunteer, detail=result)
    return result


@dataclass(frozen=True)
class _Held:
    """What an erasure looks for beyond the number, read before the rows are blanked: the needs
    the number asked for, and the full names it is known by (as a requester, as a volunteer)."""

    need_ids: list[int]
    names: list[str]


def _held_for(*, phone: str, requester_only: bool) -> _Held:
    needs = needs_privacy.requester_needs_held(phone=phone)
    names = [name for _, name in needs if name]
    if not requester_only:
        names += list(
            Volunteer.objects.filter(phone=phone, erased_at__isnull=True).values_list("name", flat=True)
        )
    return _Held(need_ids=[need_id for need_id, _ in needs], names=names)


def _copies_erase(*, phone: str, volunteer: Volunteer | None, held: _Held) -> dict[str, int]:
    """The copies of the person's data outside each app's own rows: texts that carried their
    details as a requester to a volunteer, texts that write their full name, free text in their
    needs' audit lines, their name in the audit lines of needs they helped with, an unfinished
    sign-up, the admin's log. Call inside the erasure's transaction."""
    counts = {
        "messages_about_their_needs": messaging_privacy.messages_about_erase(
            about=[needs_privacy.need_about(i) for i in held.need_ids]
        ),
        "messages_naming_them": messaging_privacy.messages_naming_erase(names=held.names),
        "audit_lines": needs_privacy.needs_audit_erase(need_ids=held.need_ids),
        "admin_log_lines": volunteers_privacy.admin_log_erase(
            phone=phone, volunteer_id=volunteer.id if volunteer is not None else None
        ),
    }
    if volunteer is not None:
        counts["audit_lines"] += needs_privacy.volunteer_audit_erase(volunteer_id=volunteer.id)
        counts.update(volunteers_privacy.signup_traces_erase(phone=phone))
    return counts


def requesters_erase_due(*, now: datetime | None = None) -> int:
    """The scheduled job: blank requester details on needs closed more than N days ago."""
    now = now or timezone.now()
    closed_before = now - timedelta(days=settings.REQUESTER_ERASURE_DAYS)
    with transaction.atomic():
        erased = needs_privacy.requesters_erase_closed(closed_before=closed_before)
        if erased:
            copies = _requester_copies_erase(erased=erased)
            audit_record(
                actor=None,
                action="data_rights.requester_erasure_scheduled",
                detail={"needs": len(erased), "closed_before": closed_before.isoformat(), **copies},
            )
    return len(erased)


def _requester_copies_erase(*, erased: list[tuple[int, str, str]]) -> dict[str, int]:
    """After the scheduled erasure of these needs' requesters ((need id, number, name)): the texts
    about the needs or writing the requester's full name, the free text in the needs' audit lines,
    and the texts to and from each number that no longer has a reason to be held (no other need
    holds it, and it is no volunteer's). The number is not blocked: they did not ask to be
    forgotten, and may ask for help again."""
    need_ids = [need_id for need_id, _, _ in erased]
    counts = {
        "messages_about_their_needs": messaging_privacy.messages_about_erase(
            about=[needs_privacy.need_about(i) for i in need_ids]
        ),
        "messages_naming_them": messaging_privacy.messages_naming_erase(
            names=[name for _, _, name in erased]
        ),
        "audit_lines": needs_privacy.needs_audit_erase(need_ids=need_ids),
        "numbers": 0,
    }
    for phone in sorted({phone for _, phone, _ in erased if phone}):
        if needs_privacy.requester_still_held(phone=phone) or Volunteer.objects.filter(phone=phone).exists():
            continue
        messaging_privacy.messaging_erase(phone=phone, block=False)
        volunteers_privacy.admin_log_erase(phone=phone)
        counts["numbers"] += 1
    return counts


def sessions_clear_expired() -> None:
    """The daily job: delete expired sessions (an unfinished sign-up holds a name and a number),
    which Django otherwise keeps for ever."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


def rights_connect() -> None:
    """Give the register's admin and importer their way up to this module (see volunteers/privacy.py)."""
    volunteers_privacy.rights_register(
        subject_access=subject_access,
        erase=person_erase,
        phones_blocked=messaging_privacy.phones_opted_out,
    )
