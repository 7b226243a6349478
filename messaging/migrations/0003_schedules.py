"""Create the sweeper and reconciliation schedules once, by name, so that every deployment that
migrates has them without anyone remembering a command (setup_schedules repairs them by hand)."""

from django.db import migrations


# Frozen here as they were; core/schedules.py keeps the live list and re-creates it after migrate.
SCHEDULES = [
    ("sms-outbox-sweep", "messaging.tasks.outbox_sweep", 1),
    ("sms-outbox-reconcile", "messaging.tasks.outbox_reconcile", 2),
]


def forwards(apps, schema_editor):
    schedule_model = apps.get_model("django_q", "Schedule")
    for name, func, minutes in SCHEDULES:
        schedule_model.objects.update_or_create(
            name=name, defaults={"func": func, "schedule_type": "I", "minutes": minutes, "repeats": -1}
        )


def backwards(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_send_rate"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
