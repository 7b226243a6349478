"""What import_groups and import_volunteers share: reading the file, printing the report."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from volunteers.importing.reading import FileProblem
from volunteers.importing.report import ImportReport
from volunteers.services import audit_record


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument(
            "path", type=Path, help="A CSV file (UTF-8 or Windows-1252, with or without a BOM)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count everything; write nothing."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")

    def run_import(self, options, do_import) -> ImportReport:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            report = do_import(
                data=path.read_bytes(),
                source=path.name,
                dry_run=options["dry_run"],
                progress=None if options["no_progress"] else self.stderr,
            )
        except FileProblem as exc:
            raise CommandError(str(exc)) from None
        for line in report.lines():
            self.stderr.write(line)
        self.stdout.write(report.summary())
        if not report.dry_run:
            audit_record(actor=None, action=f"import.{self.kind}", detail=report.as_dict())
        return report
