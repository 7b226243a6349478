"""Create the sweeper and reconciliation schedules once, by name, so that every deployment that
migrates has them without anyone remembering a command (setup_schedules repairs them by hand)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from messaging.schedules import schedules_ensure

    schedules_ensure(apps.get_model("django_q", "Schedule"))


def backwards(apps, schema_editor):
    from messaging.schedules import SCHEDULES

    apps.get_model("django_q", "Schedule").objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_send_rate"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
