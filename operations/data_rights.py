"""UK GDPR rights for everyone in the register, composed from each app's own part.

Layering: every app holds a share of a person's data, so each app has its own small functions
(volunteers/privacy.py, messaging/privacy.py, needs/privacy.py, reactivation/privacy.py) and only
this module, at the top layer, knows all of them. The admin (volunteers) reaches it through the
hooks that ``rights_connect`` registers at start-up.

* ``subject_access``: everything held about a phone number, as one JSON-ready document.
* ``person_erase``: personal data removed or anonymised, counts kept, the number kept on the
  opt-out list (source "erasure") so that it is never texted again.
* ``requesters_erase_due``: the scheduled job blanking requester details N days after a need
  closes (``REQUESTER_ERASURE_DAYS``, default 30).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from messaging import privacy as messaging_privacy
from needs import privacy as needs_privacy
from reactivation import privacy as reactivation_privacy
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
        **messaging_privacy.messaging_subject_access(phone=phone, volunteer_id=volunteer_id),
        **(
            reactivation_privacy.campaigns_subject_access(volunteer_id=volunteer_id)
            if volunteer_id
            else {"campaigns": [], "readiness_checks": []}
        ),
    }
    audit_record(
        actor=actor,
        action="data_rights.subject_access",
        target=Volunteer.objects.filter(id=volunteer_id).first() if volunteer_id else None,
        detail={
            "phone": phone_mask(phone),
            "volunteer": volunteer_id is not None,
            "needs_as_requester": len(document["needs_as_requester"]),
            "messages": len(document["messages_sent_to_them"]) + len(document["messages_from_them"]),
        },
    )
    return document


@transaction.atomic
def person_erase(
    *, phone: str, actor: AbstractBaseUser | None = None, requester_only: bool = False
) -> dict[str, object]:
    """Erase what is held about ``phone``: as a volunteer and as a requester (or, with
    ``requester_only``, only as a requester, leaving a volunteer record with that number alone).

    Idempotent: erasing twice finds nothing the second time and keeps the opt-out.
    """
    phone = phone_for_rights(phone)
    result: dict[str, object] = {"phone": phone_mask(phone), "requester_only": requester_only}
    volunteer = None if requester_only else Volunteer.objects.select_for_update().filter(phone=phone).first()
    if volunteer is not None:
        result.update(reactivation_privacy.campaigns_erase(volunteer_id=volunteer.id))
        result.update(messaging_privacy.messaging_erase(phone=phone, volunteer_id=volunteer.id))
        result.update(volunteers_privacy.volunteer_erase(volunteer=volunteer))
    elif requester_only and Volunteer.objects.filter(phone=phone).exists():
        # The texts to this number are the volunteer's too: they stay, and the number is not blocked.
        result["volunteer_kept"] = True
    else:
        result.update(messaging_privacy.messaging_erase(phone=phone))
        # No volunteer row, but the number leaves the same tombstone: it is never imported again.
        contact_event_record(phone=phone, event=Event.ERASE)
    result.update(needs_privacy.requester_erase(phone=phone))
    audit_record(actor=actor, action="data_rights.erasure", target=volunteer, detail=result)
    return result


def requesters_erase_due(*, now: datetime | None = None) -> int:
    """The scheduled job: blank requester details on needs closed more than N days ago."""
    now = now or timezone.now()
    closed_before = now - timedelta(days=settings.REQUESTER_ERASURE_DAYS)
    with transaction.atomic():
        count = needs_privacy.requesters_erase_closed(closed_before=closed_before)
        if count:
            audit_record(
                actor=None,
                action="data_rights.requester_erasure_scheduled",
                detail={"needs": count, "closed_before": closed_before.isoformat()},
            )
    return count


def rights_connect() -> None:
    """Give the register's admin and importer their way up to this module (see volunteers/privacy.py)."""
    volunteers_privacy.rights_register(
        subject_access=subject_access,
        erase=person_erase,
        phones_blocked=messaging_privacy.phones_opted_out,
    )
