"""The django-q2 schedules that drive campaigns and readiness checks.

Created by a migration so a fresh install (or one woken after months unused) has them without a
manual step; update_or_create by name keeps it idempotent.
"""

from django.db import migrations

SCHEDULES = (
    # name, func, schedule type, minutes
    ("reactivation: advance campaigns", "reactivation.tasks.campaigns_advance_task", "I", 1),
    ("reactivation: readiness checks", "reactivation.tasks.readiness_cycle_task", "D", None),
)


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func, kind, minutes in SCHEDULES:
        Schedule.objects.update_or_create(
            name=name, defaults={"func": func, "schedule_type": kind, "minutes": minutes, "repeats": -1}
        )


def remove(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reactivation", "0002_campaign_waves_and_checks"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
