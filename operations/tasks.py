"""django-q2 tasks of the top layer: each calls a service and is safe to run twice."""

from __future__ import annotations

from operations import alerts


def alerts_send_due() -> int:
    return alerts.alerts_send_due()


def alerts_hourly() -> dict:
    """Needs waiting too long become alerts; at ALERT_DIGEST_HOUR the daily summaries go."""
    return {"needs_waiting": alerts.needs_waiting_alert(), "digests": alerts.alert_digests_send()}
