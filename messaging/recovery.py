"""The outbox's periodic repairs (messaging/schedules.py runs them): rows a dead worker left in
``sending``, ready rows whose kick was lost, and texts whose fate is ``unknown``.

Sending itself is in ``messaging.sending``; nothing here sends a text, it only makes rows ready
again (for the senders to claim) or records what Twilio says became of them.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from messaging.models import OutboundMessage
from messaging.sending import MAX_ATTEMPTS
from messaging.services import READY_STATES, message_status_apply, outbox_kick
from messaging.transports import SmsSendError, transport_get

log = logging.getLogger(__name__)
State = OutboundMessage.State


def outbox_sweep() -> dict:
    """Periodic: rows a dead worker left in ``sending`` become ``unknown``; ready rows nobody is
    sending (a lost task, the end of quiet hours or of a back-off) get drain tasks again."""
    now = timezone.now()
    stale = OutboundMessage.objects.filter(
        state=State.SENDING, claimed_at__lt=now - timedelta(seconds=settings.SMS_STALE_SENDING_SECONDS)
    ).update(state=State.UNKNOWN, error_code="stale", error_message="The worker stopped while sending.")
    ready = OutboundMessage.objects.filter(state__in=READY_STATES, send_after__lte=now)
    urgent = ready.filter(priority__lt=OutboundMessage.Priority.BULK).exists()
    bulk = ready.filter(priority__gte=OutboundMessage.Priority.BULK).exists()
    if urgent:
        outbox_kick(message_id=None, priority=OutboundMessage.Priority.URGENT)
    if bulk:
        outbox_kick(message_id=None, priority=OutboundMessage.Priority.BULK)
    return {"stale": stale, "kicked": urgent or bulk}


def outbox_reconcile(*, limit: int = 200) -> dict:
    """Periodic: settle ``unknown`` rows by asking Twilio. Found: record what Twilio says. Not found
    after SMS_UNKNOWN_GRACE_SECONDS: the request never arrived, so the row may be sent again."""
    transport = transport_get()
    now = timezone.now()
    grace = timedelta(seconds=settings.SMS_UNKNOWN_GRACE_SECONDS)
    found = requeued = 0
    for message in OutboundMessage.objects.filter(state=State.UNKNOWN).order_by("claimed_at")[:limit]:
        since = (message.claimed_at or message.created_at) - timedelta(seconds=5)
        try:
            if message.provider_sid:
                remote = transport.fetch(message.provider_sid)
            else:
                remote = transport.find(to=message.to, body=message.body, since=since)
        except SmsSendError as err:
            log.warning("reconciliation of %s postponed: %s", message.pk, err)
            continue
        if remote is not None:
            OutboundMessage.objects.filter(pk=message.pk, provider_sid__isnull=True).update(
                provider_sid=remote.provider_sid
            )
            message_status_apply(
                message_id=message.pk,
                provider_sid=remote.provider_sid,
                status=remote.status or "sent",
                error_code=remote.error_code,
            )
            found += 1
        elif (message.claimed_at or message.created_at) < now - grace:
            if message.attempts >= MAX_ATTEMPTS:
                fields = {"state": State.FAILED, "final_at": now, "error_message": "Never reached Twilio."}
            else:
                fields = {"state": State.ERRORED, "send_after": now}
            requeued += OutboundMessage.objects.filter(pk=message.pk, state=State.UNKNOWN).update(**fields)
    return {"found": found, "requeued": requeued}
