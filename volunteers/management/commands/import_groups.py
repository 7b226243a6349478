from functools import partial

from django.core.management.base import CommandError

from volunteers.importing.group_import import groups_import
from volunteers.management.commands._importing import ImportCommand
from volunteers.models import Organisation


class Command(ImportCommand):
    kind = "groups"
    help = (
        "Import mutual-aid groups from a CSV (name,slug,kind,local_authority,latitude,longitude,radius_km,"
        "status,contact_name,contact_phone,notes). The slug is the identity; each contact becomes a "
        "volunteer and the group's organiser. --dry-run writes nothing."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--organisation",
            help="Slug of the organisation that coordinates these groups (a row's organisation column wins).",
        )

    def handle(self, *args, **options):
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with the slug {options['organisation']!r}.")
        self.run_import(options, partial(groups_import, organisation=organisation))
