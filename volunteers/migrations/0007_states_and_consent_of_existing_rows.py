"""Existing rows into the contact states and the consent rules of volunteers.contact_state.

* An erased row (``erased_at`` set) is in state erased; a number Twilio called unreachable is in
  state unreachable, and only such a row keeps the mark.
* Imports used to record the time of the import as the moment of consent when the file gave none,
  with a made-up wording. Those records become what they are: consent unknown, "imported from FILE"
  (their owners are then asked to re-consent before any offer or campaign message).
"""

from django.db import migrations
from django.db.models import F, Q

DEFAULT_WORDING_END = "their own words were not recorded. Every message says how to stop (reply STOP)."


def _unknown_source(source: str) -> str:
    # "import_volunteers vols.csv" -> "unknown, imported from vols.csv"
    # "import_groups g.csv (contact of slug)" -> "unknown, imported from g.csv (contact of slug)"
    rest = source.split(" ", 1)[1] if " " in source else source
    return f"unknown, imported from {rest}"[:200]


def forwards(apps, schema_editor):
    Volunteer = apps.get_model("volunteers", "Volunteer")
    Volunteer.objects.filter(erased_at__isnull=False).exclude(status="erased").update(status="erased")
    Volunteer.objects.filter(phone_unreachable_at__isnull=False).exclude(
        status__in=["opted_out", "erased"]
    ).update(status="unreachable")
    Volunteer.objects.exclude(status="unreachable").exclude(phone_unreachable_at=None).update(
        phone_unreachable_at=None
    )
    invented = Volunteer.objects.filter(consent_channel="import", consent_at__isnull=False).filter(
        Q(consent_source__startswith="import_groups ")
        | Q(consent_source__startswith="import_volunteers ", consent_at=F("created_at"))
    )
    for pk, source, text in invented.values_list("pk", "consent_source", "consent_text").iterator():
        Volunteer.objects.filter(pk=pk).update(
            consent_at=None,
            consent_text="" if text.endswith(DEFAULT_WORDING_END) else text,
            consent_source=_unknown_source(source),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0006_contact_states_tombstones_and_links"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
