from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from volunteers.postcode_files import SHIPPED, PostcodeFileError, sources_open
from volunteers.selectors import postcodes_shipped_loaded
from volunteers.services import postcodes_load

SHOWN = 50  # rejected rows listed one by one; the rest are counted


class Command(BaseCommand):
    help = (
        "Load postcodes into the offline geocoder: with no PATH, the West Midlands' postcodes shipped "
        "with Rekindle (OS Code-Point Open); or a file of the ONS Postcode Directory (pcds,lat,long; "
        "oslaua and oscty used, other columns ignored) or of OS Code-Point Open (its own rows, or its "
        "zip as downloaded). Plain, .gz or .zip. A postcode already loaded is updated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            type=Path,
            help=f"the file to load (default: the shipped West Midlands file, {SHIPPED.name})",
        )
        parser.add_argument(
            "--if-needed",
            action="store_true",
            help="With no PATH: do nothing when the shipped postcodes are already loaded (make run uses it).",
        )

    def handle(self, *args, path: Path | None, if_needed: bool, **options):
        path = path or SHIPPED
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if if_needed and path == SHIPPED and postcodes_shipped_loaded():
            self.stdout.write("The West Midlands' postcodes are already loaded.")
            return
        loaded, rejected = 0, 0
        try:
            for name, lines in sources_open(path):
                report = postcodes_load(lines=lines)
                for line, reason in report.rejected[: max(0, SHOWN - rejected)]:
                    self.stderr.write(f"{name} line {line}: {reason}")
                loaded, rejected = loaded + report.loaded, rejected + len(report.rejected)
        except (ValidationError, PostcodeFileError) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(message) from None
        if rejected > SHOWN:
            self.stderr.write(f"... and {rejected - SHOWN} more rejected rows")
        self.stdout.write(f"Loaded {loaded} postcodes; rejected {rejected}.")
