"""The periodic jobs of the top layer (core/schedules.py creates them after every migrate)."""

from __future__ import annotations

from core.schedules import DAILY, HOURLY, PeriodicJob

# Requesters' details go REQUESTER_ERASURE_DAYS after their need closes (read at each run).
REQUESTER_ERASURE = PeriodicJob(
    "erase-closed-requesters", "operations.data_rights.requesters_erase_due", HOURLY
)

# Expired sessions (one may hold an unfinished sign-up: a name and a number) go once a day.
SESSIONS_CLEAR = PeriodicJob("clear-expired-sessions", "operations.data_rights.sessions_clear_expired", DAILY)

SCHEDULES = [REQUESTER_ERASURE, SESSIONS_CLEAR]
