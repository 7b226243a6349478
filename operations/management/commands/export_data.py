import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reactivation.exporting import campaign_results_export
from volunteers.exporting import FORMATS, groups_export, volunteers_export
from volunteers.models import Organisation

EXPORTERS = {"groups": groups_export, "volunteers": volunteers_export, "campaigns": campaign_results_export}


class Command(BaseCommand):
    help = (
        "Export groups, volunteers or campaign results as CSV or JSON, for one or more organisations "
        "(a volunteer belongs to an organisation through its groups). Requesters' details are never "
        "exported. Written to the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "what", choices=sorted(EXPORTERS), help="What to export: " + ", ".join(sorted(EXPORTERS)) + "."
        )
        parser.add_argument(
            "--organisation",
            action="append",
            required=True,
            help="Slug of an organisation whose people to export (repeat for several).",
        )
        parser.add_argument(
            "--format", choices=FORMATS, default="csv", dest="fmt", help="csv (the default) or json."
        )
        parser.add_argument("--output", type=Path, help="Write here instead of standard output.")

    def handle(self, *args, what: str, organisation: list[str], fmt: str, output: Path | None, **options):
        organisations = list(Organisation.objects.filter(slug__in=organisation))
        unknown = set(organisation) - {o.slug for o in organisations}
        if unknown:
            raise CommandError(f"No organisation with the slug {', '.join(sorted(unknown))}.")
        export = EXPORTERS[what](organisations=organisations, fmt=fmt)
        if output:
            output.write_text(export.content, encoding="utf-8")
            self.stderr.write(f"Wrote {export.rows} rows to {output}")
        else:
            sys.stdout.flush()
            self.stdout.write(export.content, ending="")
