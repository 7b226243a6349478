"""The periodic jobs, created idempotently (by name) by a data migration and by `setup_schedules`."""

from __future__ import annotations

SCHEDULES = [
    # (name, function, every N minutes)
    ("sms-outbox-sweep", "messaging.tasks.outbox_sweep", 1),
    ("sms-outbox-reconcile", "messaging.tasks.outbox_reconcile", 2),
]


def schedules_ensure(schedule_model) -> int:
    """Create or update the schedules; returns how many were created. Takes the model so that a
    migration can pass its historical one."""
    created = 0
    for name, func, minutes in SCHEDULES:
        _, was_created = schedule_model.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": "I", "minutes": minutes, "repeats": -1},
        )
        created += was_created
    return created
