"""Writes for SMS: queueing outbound messages, opt-outs.

``message_queue`` is the one door every outbound text goes through.
"""

from __future__ import annotations

from django.db import transaction

from messaging.models import OptOut, OutboundMessage
from volunteers.models import Volunteer


def phone_is_opted_out(phone: str) -> bool:
    return OptOut.objects.filter(phone=phone).exists()


def message_queue(
    *,
    to: str,
    body: str,
    dedupe_key: str,
    purpose: str,
    priority: int = OutboundMessage.Priority.URGENT,
    volunteer: Volunteer | None = None,
) -> OutboundMessage | None:
    """Queue one text for sending, once per ``dedupe_key``; None when the number has opted out.

    Call inside the caller's transaction: the row and the caller's change commit together, and the
    send task is enqueued only after the commit.
    """
    if phone_is_opted_out(to):
        return None
    with transaction.atomic():
        message, _ = OutboundMessage.objects.get_or_create(
            dedupe_key=dedupe_key,
            defaults={
                "to": to,
                "body": body,
                "purpose": purpose,
                "priority": priority,
                "volunteer": volunteer,
            },
        )
    return message
