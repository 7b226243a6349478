"""The periodic jobs of the top layer (core/schedules.py creates them after every migrate)."""

from __future__ import annotations

from core.schedules import DAILY, HOURLY, MINUTES, PeriodicJob

# Requesters' details go REQUESTER_ERASURE_DAYS after their need closes (read at each run).
REQUESTER_ERASURE = PeriodicJob(
    "erase-closed-requesters", "operations.data_rights.requesters_erase_due", HOURLY
)

# Expired sessions (one may hold an unfinished sign-up: a name and a number) go once a day.
SESSIONS_CLEAR = PeriodicJob("clear-expired-sessions", "operations.data_rights.sessions_clear_expired", DAILY)

SCHEDULES = [
    REQUESTER_ERASURE,
    SESSIONS_CLEAR,
    # Alerts due at once go after the commit that raised them; this catches any a worker dropped.
    PeriodicJob("alerts: send what is due", "operations.tasks.alerts_send_due", MINUTES, 1),
    PeriodicJob("alerts: waiting needs and daily summaries", "operations.tasks.alerts_hourly", HOURLY),
]
