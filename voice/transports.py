"""Where calls go: Twilio's Calls API through the official client when SMS_BACKEND is ``twilio``,
otherwise printed (``console``) or kept in ``placed`` (``locmem``, tests). Twilio's and the
network's errors become messaging's ``SmsSendError`` (the same meanings: permanent, slow down,
maybe sent), so the outbox decides from them, never from a Twilio code."""

from __future__ import annotations

import sys
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from messaging.transports import PerSettings, SmsSendError, twilio_error_map

# Every progress event, so that a call's row follows it (voice.call_status).
STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
RING_SECONDS = 25  # then Twilio reports no-answer, before most voicemail picks up


@dataclass(frozen=True)
class OutgoingCall:
    call_id: int
    to: str
    url: str  # where Twilio fetches the TwiML when the call is answered
    status_callback: str


@dataclass(frozen=True)
class ProviderCall:
    provider_sid: str
    status: str
    to: str = ""
    date_created: datetime | None = None


class CallTransport:
    def place(self, call: OutgoingCall) -> ProviderCall:
        raise NotImplementedError

    def find(self, *, to: str, since: datetime) -> ProviderCall | None:
        """A call to ``to`` created after ``since``: for a row whose fate is unknown."""
        return None


placed: list[OutgoingCall] = []  # locmem: what was "dialled", in order
_placed_lock = threading.Lock()


LOCAL_SID_PREFIX = (
    "CALOCMEM"  # calls kept in this process (locmem) or printed (console): the simulator answers them
)


class LocmemCallTransport(CallTransport):
    def place(self, call: OutgoingCall) -> ProviderCall:
        with _placed_lock:
            placed.append(call)
        return ProviderCall(provider_sid=f"{LOCAL_SID_PREFIX}{uuid.uuid4().hex}", status="queued", to=call.to)


class ConsoleCallTransport(LocmemCallTransport):
    def place(self, call: OutgoingCall) -> ProviderCall:
        result = super().place(call)
        sys.stdout.write(f"\n--- CALL to {call.to} (#{call.call_id}): {call.url} ---\n")
        sys.stdout.flush()
        return result


class TwilioCallTransport(CallTransport):
    def __init__(self) -> None:
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        http_client = TwilioHttpClient(timeout=settings.SMS_HTTP_TIMEOUT, pool_connections=True)
        client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)
        # As messaging.transports does: the Api domain pointed at TWILIO_API_BASE_URL.
        client.api.base_url = (settings.TWILIO_API_BASE_URL or "https://api.twilio.com").rstrip("/")
        self.calls = client.api.v2010.accounts(settings.TWILIO_ACCOUNT_SID).calls

    def place(self, call: OutgoingCall) -> ProviderCall:
        from_number = settings.VOICE_FROM_NUMBER or settings.TWILIO_FROM_NUMBER
        if not from_number:
            raise SmsSendError(
                "No number to call from: set VOICE_FROM_NUMBER (or TWILIO_FROM_NUMBER).",
                code="config",
                permanent=True,
            )
        try:
            created = self.calls.create(
                to=call.to,
                from_=from_number,
                url=call.url,
                method="POST",
                status_callback=call.status_callback,
                status_callback_method="POST",
                status_callback_event=STATUS_EVENTS,
                machine_detection="Enable",
                timeout=RING_SECONDS,
            )
        except Exception as exc:
            raise twilio_error_map(exc) from exc
        return ProviderCall(provider_sid=created.sid, status=created.status or "queued", to=call.to)

    def find(self, *, to: str, since: datetime) -> ProviderCall | None:
        try:
            for c in self.calls.list(to=to, limit=20):
                if c.date_created is None or c.date_created >= since.replace(microsecond=0):
                    return ProviderCall(
                        provider_sid=c.sid, status=c.status or "", to=c.to or "", date_created=c.date_created
                    )
        except Exception as exc:
            raise twilio_error_map(exc) from exc
        return None


def _call_transport_build() -> CallTransport:
    backend = {"twilio": TwilioCallTransport, "console": ConsoleCallTransport}
    return backend.get(settings.SMS_BACKEND, LocmemCallTransport)()


_transport = PerSettings(_call_transport_build)


def call_transport_get() -> CallTransport:
    """The process's call transport (follows SMS_BACKEND), rebuilt only when the settings that
    shape it change."""
    return _transport.get()
