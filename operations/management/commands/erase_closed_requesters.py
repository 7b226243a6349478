from django.conf import settings
from django.core.management.base import BaseCommand

from core.schedules import schedules_ensure
from operations.data_rights import requesters_erase_due


class Command(BaseCommand):
    help = (
        "Erase requester details on needs closed more than REQUESTER_ERASURE_DAYS (default 30) ago. "
        "The django-q2 schedule 'erase-closed-requesters' runs this hourly; --ensure-schedule "
        "(re)creates that schedule, and any other missing one, idempotently (migrate does too)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--ensure-schedule",
            action="store_true",
            help="Also (re)create the periodic jobs that are missing, as migrate does.",
        )

    def handle(self, *args, ensure_schedule: bool, **options):
        if ensure_schedule:
            created = schedules_ensure()
            self.stdout.write(f"Schedules ready ({created} created).")
        count = requesters_erase_due()
        self.stdout.write(
            f"Erased the requester details of {count} needs closed over {settings.REQUESTER_ERASURE_DAYS} days ago."
        )
