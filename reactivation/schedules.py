"""The reactivation periodic jobs (core/schedules.py creates them after every migrate)."""

from __future__ import annotations

from core.schedules import DAILY, MINUTES, PeriodicJob

SCHEDULES = [
    PeriodicJob("reactivation: advance campaigns", "reactivation.tasks.campaigns_advance_task", MINUTES, 1),
    PeriodicJob("reactivation: readiness checks", "reactivation.tasks.readiness_cycle_task", DAILY),
]
