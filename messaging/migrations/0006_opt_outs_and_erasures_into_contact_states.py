"""The opt-out list into the register's contact states (volunteers.contact_state).

* A volunteer whose number is on the opt-out list is opted out. (AVAILABLE or PAUSE after STOP used
  to set them active or paused while the opt-out stayed, so they showed in exports again.)
* Every number erased so far leaves its tombstone: a keyed hash (CONTACT_TOMBSTONE_KEY), so that
  the number stays refused by the importers even if it later texts START.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    OptOut = apps.get_model("messaging", "OptOut")
    Volunteer = apps.get_model("volunteers", "Volunteer")
    ErasedNumber = apps.get_model("volunteers", "ErasedNumber")
    opted = OptOut.objects.values("phone")
    Volunteer.objects.filter(phone__in=opted).exclude(status__in=["opted_out", "erased"]).update(
        status="opted_out", phone_unreachable_at=None
    )
    key = settings.CONTACT_TOMBSTONE_KEY.encode()
    erased = OptOut.objects.filter(source="erasure").values_list("phone", "created_at")
    ErasedNumber.objects.bulk_create(
        [
            ErasedNumber(
                phone_hash=hmac.new(key, phone.encode(), hashlib.sha256).hexdigest(),
                erased_at=at or timezone.now(),
            )
            for phone, at in erased.iterator()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0005_inbox_per_organisation"),
        ("volunteers", "0007_states_and_consent_of_existing_rows"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
