"""Reads for SMS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from messaging.models import InboundMessage, OutboundMessage
from volunteers.models import Volunteer


@dataclass(frozen=True)
class ConversationLine:
    at: datetime
    direction: str  # "in" (from the phone) or "out" (to the phone)
    body: str
    status: str


def conversation_for(*, phone: str, limit: int = 100) -> list[ConversationLine]:
    outs = OutboundMessage.objects.filter(to=phone).order_by("-created_at")[:limit]
    ins = InboundMessage.objects.filter(from_number=phone).order_by("-received_at")[:limit]
    lines = [ConversationLine(m.created_at, "out", m.body, m.get_state_display()) for m in outs]
    lines += [ConversationLine(m.received_at, "in", m.body, m.get_outcome_display()) for m in ins]
    return sorted(lines, key=lambda line: line.at)[-limit:]


def simulator_phones(*, limit: int = 200) -> list[tuple[str, str]]:
    return list(Volunteer.objects.order_by("name").values_list("phone", "name")[:limit])


def inbox_needing_attention(*, limit: int = 200) -> list[InboundMessage]:
    """The texts waiting for a person in the coordinators' inbox, oldest first."""
    return list(
        InboundMessage.objects.filter(needs_attention=True, resolved_at__isnull=True)
        .select_related("volunteer")
        .order_by("received_at")[:limit]
    )


def inbox_recently_resolved(*, limit: int = 20) -> list[InboundMessage]:
    """The inbox's texts dealt with most recently, latest first, with who dealt with them."""
    return list(
        InboundMessage.objects.filter(needs_attention=True, resolved_at__isnull=False)
        .select_related("volunteer", "resolved_by")
        .order_by("-resolved_at")[:limit]
    )


def outbox_oldest_waiting() -> datetime | None:
    """Since when the oldest urgent text that may go now has been waiting (None: none is).

    Texts held by quiet hours or a back-off are not waiting yet; bulk texts may legitimately queue
    behind a campaign's rate cap. One row through the outbox_ready index."""
    return (
        OutboundMessage.objects.filter(
            state__in=(OutboundMessage.State.QUEUED, OutboundMessage.State.ERRORED),
            priority=OutboundMessage.Priority.URGENT,
            send_after__lte=timezone.now(),
        )
        .order_by("send_after")
        .values_list("send_after", flat=True)
        .first()
    )
