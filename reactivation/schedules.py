"""The reactivation periodic jobs (core/schedules.py creates them after every migrate)."""

from __future__ import annotations

from core.schedules import DAILY, HOURLY, MINUTES, PeriodicJob

# Requesters' details go REQUESTER_ERASURE_DAYS after their need closes (read at each run).
REQUESTER_ERASURE = PeriodicJob(
    "erase-closed-requesters", "reactivation.data_rights.requesters_erase_due", HOURLY
)

SCHEDULES = [
    PeriodicJob("reactivation: advance campaigns", "reactivation.tasks.campaigns_advance_task", MINUTES, 1),
    PeriodicJob("reactivation: readiness checks", "reactivation.tasks.readiness_cycle_task", DAILY),
    REQUESTER_ERASURE,
]
