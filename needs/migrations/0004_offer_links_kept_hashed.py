"""Offer links become volunteers.VolunteerLink rows that keep only a hash of the token.

The links of offers still alive (waiting for an answer, or accepted with the need assigned) are
carried over, hashed, so that texts already sent keep working; then the clear token column goes.
"""

import hashlib

from django.db import migrations
from django.db.models import Q


def live_links_keep(apps, schema_editor):
    Offer = apps.get_model("needs", "Offer")
    VolunteerLink = apps.get_model("volunteers", "VolunteerLink")
    live = Offer.objects.filter(
        Q(status="offered", need__status__in=["open", "offered"]) | Q(status="accepted", need__status="assigned")
    ).values_list("pk", "volunteer_id", "token", "offered_at")
    VolunteerLink.objects.bulk_create(
        [
            VolunteerLink(
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                volunteer_id=volunteer_id,
                purpose="offer",
                subject_id=pk,
                created_at=offered_at,
            )
            for pk, volunteer_id, token, offered_at in live.iterator()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("needs", "0003_after_claim_followups"),
        ("volunteers", "0006_contact_states_tombstones_and_links"),
    ]

    operations = [
        migrations.RunPython(live_links_keep, migrations.RunPython.noop),
        migrations.RemoveField(model_name="offer", name="token"),
    ]
