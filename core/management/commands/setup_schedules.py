from django.core.management.base import BaseCommand

from core.schedules import schedules_declared, schedules_ensure


class Command(BaseCommand):
    help = "Create or repair every periodic job the apps declare (idempotent; `migrate` does it too)."

    def handle(self, *args, **options):
        created = schedules_ensure()
        self.stdout.write(f"{len(schedules_declared())} periodic jobs ready ({created} created).")
