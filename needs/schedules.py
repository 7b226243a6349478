"""The needs periodic jobs (core/schedules.py creates them after every migrate)."""

from __future__ import annotations

from core.schedules import MINUTES, PeriodicJob

SCHEDULES = [
    PeriodicJob("needs: expire offers and re-offer", "needs.tasks.offers_expire_task", MINUTES, 1),
    PeriodicJob("needs: follow up assigned needs", "needs.tasks.needs_follow_up_task", MINUTES, 10),
    PeriodicJob("needs: close needs whose time has passed", "needs.tasks.needs_expire_task", MINUTES, 1),
]
