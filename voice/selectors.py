"""Reads of the call outbox for pages (the phone simulator)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from voice.models import OutboundCall
from voice.transports import LOCAL_SID_PREFIX

RINGING_MINUTES = 60


def calls_ringing_here(*, limit: int = 20) -> list[OutboundCall]:
    """Calls placed in the last hour through the console (development) transport and not yet
    answered: nobody's phone rings for them, so the phone simulator offers to answer them."""
    since = timezone.now() - timedelta(minutes=RINGING_MINUTES)
    return list(
        OutboundCall.objects.filter(
            state=OutboundCall.State.PLACED,
            provider_sid__startswith=LOCAL_SID_PREFIX,
            created_at__gte=since,
        ).order_by("-created_at")[:limit]
    )
