"""Where texts go: chosen by SMS_BACKEND like Django's email backends.

``console`` prints, ``locmem`` keeps them in ``outbox`` (tests), ``twilio`` uses the official client.
A transport turns provider errors into ``SmsSendError`` with what the sender must do about it, so
that nothing above this module knows a Twilio error code.
"""

from __future__ import annotations

import itertools
import logging
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

# What Twilio's error codes mean for us (https://www.twilio.com/docs/api/errors).
PERMANENT_BAD_NUMBER = {21211, 21614, 21612, 21408}  # invalid, not mobile, unreachable route, region
OPTED_OUT = {21610}  # the recipient texted STOP to our sender
SLOW_DOWN = {21611, 30001}  # too many messages queued at Twilio for this sender
RETRYABLE_CODES = {20429}


class SmsSendError(Exception):
    """A send that did not succeed, and what to do about it.

    ``permanent``: never retry. ``bad_number``: mark the number unreachable. ``opted_out``: record
    an opt-out. ``slow_down``: back the whole sender off. ``maybe_sent``: the request may have
    reached the provider; resending blindly could text twice, so reconcile first.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        permanent: bool = False,
        bad_number: bool = False,
        opted_out: bool = False,
        slow_down: bool = False,
        maybe_sent: bool = False,
    ):
        super().__init__(message)
        self.code = code
        self.permanent = permanent
        self.bad_number = bad_number
        self.opted_out = opted_out
        self.slow_down = slow_down
        self.maybe_sent = maybe_sent


@dataclass(frozen=True)
class SendResult:
    provider_sid: str
    status: str = "queued"


@dataclass(frozen=True)
class ProviderMessage:
    provider_sid: str
    status: str
    to: str = ""
    body: str = ""
    error_code: str = ""
    date_created: datetime | None = None


@dataclass
class OutgoingSms:
    """What a transport needs to send one text: our row's id, the number and the body."""

    message_id: int
    to: str
    body: str
    extra: dict = field(default_factory=dict)


class BaseTransport:
    def send(self, sms: OutgoingSms) -> SendResult:
        raise NotImplementedError

    def fetch(self, provider_sid: str) -> ProviderMessage | None:
        """The provider's view of a message, None when it has no such message."""
        return None

    def find(self, *, to: str, body: str, since: datetime) -> ProviderMessage | None:
        """A message to ``to`` with ``body`` created after ``since``, for rows whose fate is unknown."""
        return None


_counter = itertools.count(1)
outbox: list[OutgoingSms] = []  # locmem: what was "sent", in order
_outbox_lock = threading.Lock()


class LocmemTransport(BaseTransport):
    def send(self, sms: OutgoingSms) -> SendResult:
        with _outbox_lock:
            outbox.append(sms)
        # Unique across processes and restarts (provider_sid is a unique column): `make run` has two
        # worker processes, each with its own counter.
        return SendResult(provider_sid=f"SMLOCMEM{uuid.uuid4().hex[:16]}{next(_counter):08d}", status="sent")

    def fetch(self, provider_sid: str) -> ProviderMessage | None:
        return None


class ConsoleTransport(LocmemTransport):
    def send(self, sms: OutgoingSms) -> SendResult:
        result = super().send(sms)
        sys.stdout.write(f"\n--- SMS to {sms.to} (#{sms.message_id}) ---\n{sms.body}\n---\n")
        sys.stdout.flush()
        return result


class TwilioTransport(BaseTransport):
    """The official twilio client, one per thread of the process (each keeps a pooled HTTP session).

    The sender sends a claimed batch from a small thread pool; a ``requests`` session is not meant
    to be shared between threads, so each thread builds its own client on first use.
    """

    def __init__(self) -> None:
        self.timeout = settings.SMS_HTTP_TIMEOUT
        # The SDK logs every request's headers at INFO: per text, in every worker, that is noise and
        # measurable cost. Left alone when an operator configured the logger explicitly.
        sdk_log = logging.getLogger("twilio.http_client")
        if sdk_log.level == logging.NOTSET:
            sdk_log.setLevel(logging.WARNING)
        self._local = threading.local()
        self.client = self._client_build()
        self._local.client = self.client

    def _client_build(self):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        # The default client waits forever on a hung connection; a worker must not.
        http_client = TwilioHttpClient(timeout=self.timeout, pool_connections=True)
        client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)
        # The SDK hard-codes https://api.twilio.com per domain; pointing the Api domain elsewhere is
        # how tests and benchmarks make the real client speak HTTP to a local server.
        client.api.base_url = (settings.TWILIO_API_BASE_URL or "https://api.twilio.com").rstrip("/")
        return client

    @property
    def messages(self):
        local = self._local
        if getattr(local, "messages", None) is None:
            if getattr(local, "client", None) is None:
                local.client = self._client_build()
            local.messages = local.client.api.v2010.accounts(settings.TWILIO_ACCOUNT_SID).messages
        return local.messages

    def _sender(self) -> dict:
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            return {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
        return {"from_": settings.TWILIO_FROM_NUMBER}

    @staticmethod
    def status_callback_url(message_id: int) -> str:
        return f"{settings.PUBLIC_BASE_URL}/sms/twilio/status/?m={message_id}"

    def send(self, sms: OutgoingSms) -> SendResult:
        try:
            created = self.messages.create(
                to=sms.to,
                body=sms.body,
                status_callback=self.status_callback_url(sms.message_id),
                validity_period=settings.SMS_VALIDITY_PERIOD,
                **self._sender(),
            )
        except Exception as exc:
            raise twilio_error_map(exc) from exc
        return SendResult(provider_sid=created.sid, status=created.status or "queued")

    @staticmethod
    def _provider_message(m) -> ProviderMessage:
        return ProviderMessage(
            provider_sid=m.sid,
            status=m.status or "",
            to=m.to or "",
            body=m.body or "",
            error_code=str(m.error_code or ""),
            date_created=m.date_created,
        )

    def fetch(self, provider_sid: str) -> ProviderMessage | None:
        from twilio.base.exceptions import TwilioRestException

        try:
            return self._provider_message(self.messages(provider_sid).fetch())
        except TwilioRestException as exc:
            if exc.status == 404:
                return None
            raise twilio_error_map(exc) from exc
        except Exception as exc:
            raise twilio_error_map(exc) from exc

    def find(self, *, to: str, body: str, since: datetime) -> ProviderMessage | None:
        try:
            # Twilio filters by day only; the body and the creation time narrow it down.
            for m in self.messages.list(to=to, date_sent_after=since, limit=50):
                if m.body == body and (
                    m.date_created is None or m.date_created >= since.replace(microsecond=0)
                ):
                    return self._provider_message(m)
        except Exception as exc:
            raise twilio_error_map(exc) from exc
        return None


def twilio_error_map(exc: Exception) -> SmsSendError:
    """Twilio and network errors -> SmsSendError carrying what the sender should do."""
    import requests
    from twilio.base.exceptions import TwilioRestException

    if isinstance(exc, TwilioRestException):
        code = int(exc.code) if exc.code else 0
        text = f"Twilio {exc.status} error {code or '-'}: {exc.msg}"[:500]
        scode = str(code or exc.status)
        if code in PERMANENT_BAD_NUMBER:
            return SmsSendError(text, code=scode, permanent=True, bad_number=True)
        if code in OPTED_OUT:
            return SmsSendError(text, code=scode, permanent=True, opted_out=True)
        if code in SLOW_DOWN:
            return SmsSendError(text, code=scode, slow_down=True)
        if exc.status == 429 or code in RETRYABLE_CODES or exc.status >= 500:
            return SmsSendError(text, code=scode)
        # Any other 4xx is our request being wrong: retrying would fail the same way.
        return SmsSendError(text, code=scode, permanent=True)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return SmsSendError(f"Could not connect to Twilio: {exc}"[:500], code="connect")
    if isinstance(exc, requests.exceptions.ConnectionError) and _never_connected(exc):
        return SmsSendError(f"Could not connect to Twilio: {exc}"[:500], code="connect")
    if isinstance(exc, requests.exceptions.RequestException):
        # A read timeout or a connection dropped after the request went out: Twilio may have the
        # message. Sending again could text the person twice.
        return SmsSendError(f"No answer from Twilio: {exc}"[:500], code="timeout", maybe_sent=True)
    return SmsSendError(f"{type(exc).__name__}: {exc}"[:500], code="error", maybe_sent=True)


def _never_connected(exc: BaseException) -> bool:
    import urllib3.exceptions

    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            break
        if isinstance(seen, urllib3.exceptions.NewConnectionError | ConnectionRefusedError):
            return True
        for arg in getattr(seen, "args", ()):
            if isinstance(arg, urllib3.exceptions.MaxRetryError) and isinstance(
                arg.reason, urllib3.exceptions.NewConnectionError
            ):
                return True
        seen = seen.__cause__ or seen.__context__
    return False


ALIASES = {
    "console": ConsoleTransport,
    "locmem": LocmemTransport,
    "twilio": TwilioTransport,
}
T = TypeVar("T")


class PerSettings(Generic[T]):
    """One object per process (a Twilio client keeps its connections), built again only when the
    settings that shape it change (tests switch backends; an operator rotates the token)."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._made: T | None = None
        self._key: tuple | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        key = (
            settings.SMS_BACKEND,
            settings.TWILIO_API_BASE_URL,
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
        )
        with self._lock:
            if self._made is None or self._key != key:
                self._made, self._key = self._build(), key
            return self._made


def _transport_build() -> BaseTransport:
    cls = ALIASES.get(settings.SMS_BACKEND) or import_string(settings.SMS_BACKEND)
    return cls()


_transport = PerSettings(_transport_build)


def transport_get() -> BaseTransport:
    """The process's transport, built once (rebuilt only if the settings that shape it change)."""
    return _transport.get()
