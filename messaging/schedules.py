"""The SMS periodic jobs (core/schedules.py creates them after every migrate)."""

from __future__ import annotations

from core.schedules import MINUTES, PeriodicJob

SCHEDULES = [
    PeriodicJob("sms-outbox-sweep", "messaging.tasks.outbox_sweep", MINUTES, 1),
    PeriodicJob("sms-outbox-reconcile", "messaging.tasks.outbox_reconcile", MINUTES, 2),
    PeriodicJob("phone-line-unfinished", "messaging.tasks.calls_unfinished_route", MINUTES, 15),
]
