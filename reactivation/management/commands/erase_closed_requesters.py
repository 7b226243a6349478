from django.core.management.base import BaseCommand
from django_q.models import Schedule

from reactivation.data_rights import (
    requester_erasure_days,
    requester_erasure_schedule_ensure,
    requesters_erase_due,
)


class Command(BaseCommand):
    help = (
        "Erase requester details on needs closed more than REQUESTER_ERASURE_DAYS (default 30) ago. "
        "The django-q2 schedule 'erase-closed-requesters' runs this hourly; --ensure-schedule "
        "(re)creates that schedule, idempotently."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ensure-schedule", action="store_true")

    def handle(self, *args, ensure_schedule: bool, **options):
        if ensure_schedule:
            created = requester_erasure_schedule_ensure(Schedule)
            self.stdout.write(f"Schedule {'created' if created else 'already there'}.")
        count = requesters_erase_due()
        self.stdout.write(
            f"Erased the requester details of {count} needs closed over {requester_erasure_days()} days ago."
        )
