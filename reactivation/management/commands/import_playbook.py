import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reactivation.services.playbooks import PlaybookInvalid, playbook_import


class Command(BaseCommand):
    help = (
        "Read a playbook from its JSON form (as export_playbook writes it). A new slug makes a new playbook; "
        "changed content adds a version; the same document twice changes nothing. Nothing is written when "
        "the document has a problem: every problem is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            document = json.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not valid JSON: {exc}") from None
        try:
            playbook = playbook_import(document=document)
        except PlaybookInvalid as exc:
            raise CommandError("The playbook was not imported:\n- " + "\n- ".join(exc.messages)) from None
        version = playbook.current_version
        self.stdout.write(f"{playbook.slug} is at version {version.number if version else 0}.")
