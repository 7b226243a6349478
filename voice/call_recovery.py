"""The call outbox's periodic repair (voice.tasks.calls_sweep, every minute): dial what is due,
and settle rows whose fate is unknown. Safe to run twice and from several workers at once."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from messaging.transports import SmsSendError
from voice.calling import calls_dial_due, retry_or_give_up
from voice.models import OutboundCall
from voice.transports import call_transport_get

log = logging.getLogger(__name__)
State = OutboundCall.State


def calls_reconcile() -> dict:
    """A row left ``dialling`` by a worker that died becomes ``unknown``; an ``unknown`` row is
    settled by asking Twilio: a call it has is ``placed`` (its callbacks follow), one it never had
    goes back to retry, since it never happened."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.SMS_STALE_SENDING_SECONDS)
    went_unknown = OutboundCall.objects.filter(state=State.DIALLING, claimed_at__lt=stale).update(
        state=State.UNKNOWN
    )
    settled = 0
    transport = call_transport_get()
    for call in OutboundCall.objects.filter(state=State.UNKNOWN).order_by("claimed_at")[:50]:
        try:
            found = transport.find(to=call.to, since=call.claimed_at or call.created_at)
        except SmsSendError as err:
            log.warning("call %s: Twilio could not be asked (%s)", call.pk, err)
            break
        if found is not None and OutboundCall.objects.filter(provider_sid=found.provider_sid).exists():
            found = None  # another row's call to the same number
        if found is not None:
            settled += OutboundCall.objects.filter(pk=call.pk, state=State.UNKNOWN).update(
                state=State.PLACED, provider_sid=found.provider_sid, provider_status=found.status
            )
        elif (call.claimed_at or call.created_at) < now - timedelta(
            seconds=settings.SMS_UNKNOWN_GRACE_SECONDS
        ):
            retry_or_give_up(call, now=now, gave_up=State.FAILED, from_states=[State.UNKNOWN])
            settled += 1
    return {"unknown": went_unknown, "settled": settled}


def calls_sweep() -> dict:
    return {**calls_reconcile(), "dialled": calls_dial_due()}
