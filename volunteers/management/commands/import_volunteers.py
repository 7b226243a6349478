from volunteers.importing.volunteer_import import volunteers_import
from volunteers.management.commands._importing import ImportCommand


class Command(ImportCommand):
    kind = "volunteers"
    help = (
        "Import volunteers from a CSV (name,phone,postcode,latitude,longitude,skills,languages,dbs,has_car,"
        "groups), and when present status, dbs_expires_on, max_travel_km and the consent columns "
        "consent_date, consent_wording, consent_source (without a consent_date, consent is recorded as "
        "unknown and the person is asked to re-consent first). The phone is the identity: a known "
        "number is updated, never duplicated. Every rejected row is reported with its line number; the "
        "good rows are imported; --dry-run writes nothing."
    )

    def handle(self, *args, **options):
        self.run_import(options, volunteers_import)
