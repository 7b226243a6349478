import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reactivation.models import Playbook
from reactivation.services.playbooks import PlaybookInvalid, playbook_export


class Command(BaseCommand):
    help = "Write a playbook (one version, with its lessons) as JSON, to share it with another region."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--number", type=int, default=None, help="A version number; the newest by default."
        )
        parser.add_argument("--output", type=Path, default=None, help="A file; standard output by default.")

    def handle(self, *args, slug: str, number: int | None, output: Path | None, **options):
        version = number
        playbook = Playbook.objects.filter(slug=slug).first()
        if playbook is None:
            raise CommandError(
                f"No playbook {slug!r}. Known: {', '.join(Playbook.objects.values_list('slug', flat=True))}"
            )
        chosen = playbook.versions.filter(number=version).first() if version else None
        if version and chosen is None:
            raise CommandError(f"{slug} has no version {version}")
        try:
            document = playbook_export(playbook=playbook, version=chosen)
        except PlaybookInvalid as exc:
            raise CommandError("; ".join(exc.messages)) from None
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if output:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {slug} version {document['version']} to {output}")
        else:
            self.stdout.write(text, ending="")
