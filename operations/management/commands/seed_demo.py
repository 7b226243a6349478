import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.demo.logins import DEMO_PASSWORD, LOGINS, logins_seed
from operations.demo.seed import seed_demo
from volunteers.models import Volunteer


class Command(BaseCommand):
    help = (
        "Fill the database with a SYNTHETIC West Midlands for demos: invented people, phone numbers from the "
        "unallocated 07700 9xxxxx block, living at real postcodes (the shipped OS Code-Point Open file), open needs "
        "and three playbooks. "
        "Seeded and idempotent: running it again changes nothing. Refuses to run unless DEBUG is on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=2020, help="The random seed: the same seed builds the same region."
        )
        parser.add_argument(
            "--volunteers", type=int, default=3000, help="How many volunteers (default 3000)."
        )
        parser.add_argument("--groups", type=int, default=60, help="How many groups (default 60).")
        parser.add_argument("--needs", type=int, default=40, help="How many open needs (default 40).")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Leave the register as it is when it has volunteers (the demo logins are still made sure of).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on: it must never touch a real register.")
        if options["if_empty"] and Volunteer.objects.exists():
            logins_seed()  # an older demo database may predate a login that make run prints
            self.stdout.write("The register already has volunteers; demo data left as it is.")
            return
        started = time.monotonic()
        report = seed_demo(
            seed=options["seed"],
            volunteers=options["volunteers"],
            groups=options["groups"],
            needs=options["needs"],
        )
        self.stdout.write(
            f"Synthetic demo region ready in {time.monotonic() - started:.1f}s: {report.organisations} organisations, "
            f"{report.groups} groups, {report.volunteers} volunteers, {report.needs} needs, "
            f"{report.playbooks} playbooks, {report.postcodes} postcodes."
        )
        logins = ", ".join(username for username, _, _ in LOGINS[:4])
        self.stdout.write(f"Logins: {logins} (password {DEMO_PASSWORD}).")
