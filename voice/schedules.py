"""The calls' periodic job (core/schedules.py creates it after every migrate; /healthz/ and the
readiness drill require it): retries after their back-off, calls held by quiet hours, repairs."""

from __future__ import annotations

from core.schedules import MINUTES, PeriodicJob

SCHEDULES = [
    PeriodicJob("voice-calls-sweep", "voice.tasks.calls_sweep", MINUTES, 1),
]
