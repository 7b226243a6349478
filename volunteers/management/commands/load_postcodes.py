from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from volunteers.services import postcodes_load


class Command(BaseCommand):
    help = "Load an ONS-style postcode file (pcds,lat,long; other columns ignored) into the offline geocoder."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            try:
                report = postcodes_load(lines=handle)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        for line, reason in report.rejected[:50]:
            self.stderr.write(f"line {line}: {reason}")
        if len(report.rejected) > 50:
            self.stderr.write(f"... and {len(report.rejected) - 50} more rejected rows")
        self.stdout.write(f"Loaded {report.loaded} postcodes; rejected {len(report.rejected)}.")
