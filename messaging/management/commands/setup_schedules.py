from django.core.management.base import BaseCommand
from django_q.models import Schedule

from messaging.schedules import schedules_ensure


class Command(BaseCommand):
    help = "Create the SMS outbox sweeper and reconciliation schedules (idempotent)."

    def handle(self, *args, **options):
        created = schedules_ensure(Schedule)
        self.stdout.write(f"SMS schedules ready ({created} created).")
