"""Data rights, the SMS part: the messages and the opt-out held for a phone number.

Composed by operations/data_rights.py; each function does one app's share and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from messaging.models import InboundMessage, OptOut, OutboundMessage

ERASED_BODY = "[erased]"
ERASED_NUMBER = "+999"  # not a reachable number (country code 999 is never assigned)


def _iso(value):
    return value.isoformat() if value is not None else None


def messaging_subject_access(*, phone: str, volunteer_id: int | None = None) -> dict:
    """Every text to and from the number (or linked to the volunteer), and its opt-out, if any."""
    to_filter = Q(to=phone) | (Q(volunteer_id=volunteer_id) if volunteer_id else Q(pk__in=[]))
    from_filter = Q(from_number=phone) | (Q(volunteer_id=volunteer_id) if volunteer_id else Q(pk__in=[]))
    opt_out = OptOut.objects.filter(phone=phone).first()
    return {
        "messages_sent_to_them": [
            {
                "at": _iso(m.created_at),
                "body": m.body,
                "purpose": m.purpose,
                "state": m.state,
                "sent_at": _iso(m.sent_at),
            }
            for m in OutboundMessage.objects.filter(to_filter).order_by("created_at")
        ],
        "messages_from_them": [
            {
                "at": _iso(m.received_at),
                "body": m.body,
                "read_as": m.command,
                "outcome": m.outcome,
            }
            for m in InboundMessage.objects.filter(from_filter).order_by("received_at")
        ],
        "opt_out": None
        if opt_out is None
        else {"since": _iso(opt_out.created_at), "source": opt_out.source, "keyword": opt_out.keyword},
    }


def messaging_erase(*, phone: str, volunteer_id: int | None = None) -> dict[str, int]:
    """Blank the texts to and from the number; keep the rows (counts, cost, delivery statistics).

    Messages not yet sent are cancelled first, so erasure never races a send. Then the number goes
    on the opt-out list with source "erasure": that row is the one thing kept in clear, because
    without it the number could be texted again (the ICO's "suppression list").
    Call inside a transaction.
    """
    to_filter = Q(to=phone) | (Q(volunteer_id=volunteer_id) if volunteer_id else Q(pk__in=[]))
    from_filter = Q(from_number=phone) | (Q(volunteer_id=volunteer_id) if volunteer_id else Q(pk__in=[]))
    now = timezone.now()
    cancelled = OutboundMessage.objects.filter(
        to_filter, state__in=[OutboundMessage.State.QUEUED, OutboundMessage.State.ERRORED]
    ).update(state=OutboundMessage.State.CANCELLED, final_at=now, updated_at=now)
    outbound = OutboundMessage.objects.filter(to_filter).update(
        to=ERASED_NUMBER, body=ERASED_BODY, error_message="", updated_at=now
    )
    inbound = InboundMessage.objects.filter(from_filter).update(
        from_number=ERASED_NUMBER, body=ERASED_BODY, argument="", outcome_detail=""
    )
    opt_out_block(phone=phone)
    return {"messages_cancelled": cancelled, "messages_out": outbound, "messages_in": inbound}


def opt_out_block(*, phone: str) -> None:
    """Keep the number on the opt-out list for good, marked as erased."""
    OptOut.objects.update_or_create(
        phone=phone, defaults={"source": OptOut.Source.ERASURE, "keyword": "", "created_at": timezone.now()}
    )


def phones_opted_out(phones: Iterable[str]) -> dict[str, str]:
    """{phone: source} for those of ``phones`` on the opt-out list, in one query per 5000."""
    wanted = list(dict.fromkeys(phones))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 5000):
        found.update(
            OptOut.objects.filter(phone__in=wanted[start : start + 5000]).values_list("phone", "source")
        )
    return found
