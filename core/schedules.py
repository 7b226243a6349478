"""The periodic jobs: each app declares its own in ``<app>/schedules.py`` as ``SCHEDULES``, a list of
``PeriodicJob``; this module finds them, creates them after every ``migrate`` and tells the health
checks and the readiness drill what must exist. Nothing here names an app: the list is whatever the
installed apps declare, so a job added in code is created and checked without a second list.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps

# django-q2's schedule types used here.
MINUTES, HOURLY, DAILY = "I", "H", "D"
_PERIOD = {HOURLY: timedelta(hours=1), DAILY: timedelta(days=1)}


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: str  # dotted path to the function the worker runs
    schedule_type: str = MINUTES
    minutes: int | None = None  # for MINUTES

    @property
    def period(self) -> timedelta:
        if self.schedule_type == MINUTES:
            return timedelta(minutes=self.minutes or 1)
        return _PERIOD[self.schedule_type]

    def defaults(self) -> dict:
        return {
            "func": self.func,
            "schedule_type": self.schedule_type,
            "minutes": self.minutes if self.schedule_type == MINUTES else None,
            "repeats": -1,
        }


SCHEDULES = [
    # Proves the whole chain (scheduler -> broker -> worker -> database) every minute.
    PeriodicJob("core: worker heartbeat", "core.tasks.worker_heartbeat", MINUTES, 1),
]


def schedules_declared() -> list[PeriodicJob]:
    """Every job declared by an installed app of this project, in app order."""
    jobs: list[PeriodicJob] = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.schedules"
        if config.name.startswith(("django.", "django_", "rest_framework", "drf_")):
            continue
        if importlib.util.find_spec(module_name) is None:
            continue
        jobs.extend(getattr(importlib.import_module(module_name), "SCHEDULES", []))
    names = [job.name for job in jobs]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"periodic jobs declared twice: {', '.join(sorted(duplicates))}")
    return jobs


def schedules_ensure(schedule_model=None) -> int:
    """Create or correct every declared job by name (idempotent; the next run time of an existing
    job is kept). Returns how many were created. Takes the model so a migration can pass its own."""
    if schedule_model is None:
        from django_q.models import Schedule

        schedule_model = Schedule
    created = 0
    for job in schedules_declared():
        _, was_created = schedule_model.objects.update_or_create(name=job.name, defaults=job.defaults())
        created += was_created
    return created


def schedules_after_migrate(*, using: str = "default", **kwargs) -> None:
    from django.db import connections
    from django_q.models import Schedule

    # `migrate core` alone runs before django_q's tables exist; the next full migrate creates them.
    if Schedule._meta.db_table in connections[using].introspection.table_names():
        schedules_ensure(Schedule)
