import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.data_rights import RightsError, subject_access


class Command(BaseCommand):
    help = (
        "Everything held about a phone number, as one JSON document (a subject access request). "
        "Written to the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("phone", help="The number as the person gives it, e.g. 07700 900123.")
        parser.add_argument("--output", type=Path, help="Write the JSON here instead of standard output.")

    def handle(self, *args, phone: str, output: Path | None, **options):
        try:
            document = subject_access(phone=phone)
        except RightsError as exc:
            raise CommandError(str(exc)) from None
        text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
        if output:
            output.write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"Wrote {output}")
        else:
            self.stdout.write(text)
