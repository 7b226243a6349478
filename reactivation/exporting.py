"""Campaign results as CSV or JSON, for the API and ``export_data campaigns``.

A campaign may reach volunteers outside the exporting organisation's groups (it targets an area),
so its rows carry names and the last three digits of numbers only, never full numbers.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser

from reactivation.models import CampaignRecipient
from volunteers.exporting import Export, _audit, rows_render
from volunteers.models import Organisation

CAMPAIGN_FIELDS = (
    "campaign",
    "campaign_id",
    "organisation",
    "campaign_status",
    "volunteer_id",
    "volunteer",
    "phone_ending",
    "group",
    "wave",
    "state",
    "reason",
    "messaged_at",
    "responded_at",
)


def campaign_results_export(
    *,
    organisations: Iterable[Organisation],
    fmt: str,
    campaign_ids: Iterable[int] | None = None,
    actor: AbstractBaseUser | None = None,
) -> Export:
    organisations = list(organisations)
    rows_qs = (
        CampaignRecipient.objects.filter(campaign__organisation__in=organisations)
        .select_related("campaign__organisation", "volunteer", "group")
        .order_by("campaign_id", "wave", "id")
    )
    if campaign_ids is not None:
        rows_qs = rows_qs.filter(campaign_id__in=list(campaign_ids))
    rows = [
        {
            "campaign": r.campaign.name,
            "campaign_id": r.campaign_id,
            "organisation": r.campaign.organisation.slug,
            "campaign_status": r.campaign.status,
            "volunteer_id": r.volunteer_id,
            "volunteer": r.volunteer.name,
            "phone_ending": r.volunteer.phone[-3:] if r.volunteer.erased_at is None else "",
            "group": r.group.slug if r.group else "",
            "wave": r.wave,
            "state": r.state,
            "reason": r.reason,
            "messaged_at": r.messaged_at,
            "responded_at": r.responded_at,
        }
        for r in rows_qs
    ]
    export = rows_render(rows=rows, fields=CAMPAIGN_FIELDS, fmt=fmt, name="campaign-results")
    _audit(actor, "export.campaign_results", organisations, export)
    return export
