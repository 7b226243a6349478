"""The django-q2 schedule that erases requester details a set time after a need closes.

Created by a migration so every deployment has it after `migrate` (which `make run` runs);
update_or_create by name keeps it idempotent. The job itself lives at the top layer
(reactivation/data_rights.py); here it is only a name and a dotted path. It runs hourly and
reads REQUESTER_ERASURE_DAYS (default 30) each time, so changing the setting needs no migration.
"""

from django.db import migrations

SCHEDULE_NAME = "erase-closed-requesters"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": "reactivation.data_rights.requesters_erase_due",
            "schedule_type": "H",  # hourly
            "repeats": -1,
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0003_volunteer_erased_at"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
