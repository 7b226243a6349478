"""SMS tunables. The contract's settings live in config/settings.py; these have safe defaults and may
be overridden there or, for operators and benchmarks, by the environment variable of the same name."""

from __future__ import annotations

import os

from django.conf import settings

DEFAULTS: dict[str, float] = {
    # Seconds the twilio client waits for Twilio; without it a hung connection blocks a worker forever.
    "SMS_HTTP_TIMEOUT": 10,
    # Twilio drops a message still queued on its side after this long: an offer an hour late is harm.
    "SMS_VALIDITY_PERIOD": 900,
    # A row left in `sending` this long belongs to a worker that died: it becomes `unknown`.
    "SMS_STALE_SENDING_SECONDS": 120,
    # An `unknown` row Twilio has no record of after this long was never sent, so it is sent again.
    "SMS_UNKNOWN_GRACE_SECONDS": 600,
    # Bulk messages beyond this many queued segments wait: the brake on a runaway campaign.
    "SMS_BULK_BACKLOG_MAX": 0,  # 0: an hour of sending at SMS_MAX_PER_SECOND
    # How long one drain task keeps sending before it hands back to the queue (below Q timeout).
    "SMS_DRAIN_SECONDS": 0,  # 0: half the django-q timeout
    # Threads per worker process that make the HTTP requests of a claimed batch (each its own client).
    "SMS_SEND_THREADS": 8,
}


def sms_conf(name: str) -> float:
    if hasattr(settings, name):
        return float(getattr(settings, name))
    raw = os.environ.get(name, "").strip()
    if raw:
        return float(raw)
    return DEFAULTS[name]


def bulk_backlog_max() -> int:
    return int(sms_conf("SMS_BULK_BACKLOG_MAX")) or settings.SMS_MAX_PER_SECOND * 3600


def drain_seconds() -> float:
    return sms_conf("SMS_DRAIN_SECONDS") or max(1, settings.Q_CLUSTER.get("timeout", 60) // 2)
