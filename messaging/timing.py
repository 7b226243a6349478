"""Quiet hours (pure): when a non-urgent text may go out. Times are Europe/London wall-clock."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def quiet_hours_end(now: datetime, quiet: tuple[time, time] | None) -> datetime | None:
    """When the quiet period containing ``now`` ends (aware datetime), or None when not quiet.

    ``quiet`` is (start, end); when start > end the period spans midnight (21:00-08:00).
    """
    if not quiet:
        return None
    start, end = quiet
    local = now.astimezone(LONDON)
    t = local.time()
    if start > end:
        if t >= start:
            day = local.date() + timedelta(days=1)
        elif t < end:
            day = local.date()
        else:
            return None
    elif start <= t < end:
        day = local.date()
    else:
        return None
    # Built from the wall clock so that the clocks changing overnight still gives 08:00 local.
    return datetime.combine(day, end, tzinfo=LONDON)
