"""The periodic jobs of the top layer (core/schedules.py creates them after every migrate)."""

from __future__ import annotations

from core.schedules import HOURLY, PeriodicJob

# Requesters' details go REQUESTER_ERASURE_DAYS after their need closes (read at each run).
REQUESTER_ERASURE = PeriodicJob(
    "erase-closed-requesters", "operations.data_rights.requesters_erase_due", HOURLY
)

SCHEDULES = [REQUESTER_ERASURE]
