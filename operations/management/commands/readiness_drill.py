"""python manage.py readiness_drill [--send-test-to PHONE]: is the system ready to wake up?"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from operations.drill import FAIL, PASS, drill_run


class Command(BaseCommand):
    help = (
        "Check that migrations are applied, a task worker answers, Twilio accepts the credentials and "
        "posts replies to PUBLIC_BASE_URL, the postcode table is loaded and the schedules exist. "
        "Exits non-zero when any check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--send-test-to", metavar="PHONE", help="also text this operator's phone (urgent, via the outbox)"
        )
        parser.add_argument(
            "--worker-timeout",
            type=float,
            default=15.0,
            metavar="SECONDS",
            help="how long to wait for the task worker to answer (default 15)",
        )
        parser.add_argument(
            "--message-timeout",
            type=float,
            default=30.0,
            metavar="SECONDS",
            help="how long to wait for the test text to be sent (default 30)",
        )

    def handle(self, *args, **options):
        checks = drill_run(
            send_test_to=options["send_test_to"],
            worker_timeout=options["worker_timeout"],
            message_timeout=options["message_timeout"],
        )
        width = max(len(c.name) for c in checks)
        for check in checks:
            style = {PASS: self.style.SUCCESS, FAIL: self.style.ERROR}.get(check.status, self.style.WARNING)
            self.stdout.write(f"{style(f'[{check.status}]')} {check.name.ljust(width)}  {check.reason}")
        failed = [c.name for c in checks if c.status == FAIL]
        if failed:
            raise CommandError(f"{len(failed)} check(s) failed: {', '.join(failed)}")
        self.stdout.write(
            self.style.SUCCESS("Ready: every check passed or was skipped for the reason shown.")
        )
