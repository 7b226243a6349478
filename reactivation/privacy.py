"""Data rights, the reactivation part: the campaigns and readiness checks a volunteer was part of."""

from __future__ import annotations

from reactivation.models import CampaignRecipient, ReadinessCheck


def _iso(value):
    return value.isoformat() if value is not None else None


def campaigns_subject_access(*, volunteer_id: int) -> dict:
    return {
        "campaigns": [
            {
                "campaign": r.campaign.name,
                "organisation": r.campaign.organisation.name,
                "through_group": r.group.name if r.group else None,
                "wave": r.wave,
                "state": r.state,
                "reason": r.reason,
                "messaged_at": _iso(r.messaged_at),
                "responded_at": _iso(r.responded_at),
            }
            for r in CampaignRecipient.objects.filter(volunteer_id=volunteer_id)
            .select_related("campaign__organisation", "group")
            .order_by("id")
        ],
        "readiness_checks": [
            {
                "group": c.group.name,
                "sent_at": _iso(c.sent_at),
                "answer": c.answer,
                "answered_at": _iso(c.answered_at),
            }
            for c in ReadinessCheck.objects.filter(contact_id=volunteer_id)
            .select_related("group")
            .order_by("sent_at")
        ],
    }


def campaigns_erase(*, volunteer_id: int) -> dict[str, int]:
    """Keep the rows (a campaign's figures must stay true); drop the free-text reason, the only
    field that may say something about the person. Pending rows are left out of later waves."""
    rows = CampaignRecipient.objects.filter(volunteer_id=volunteer_id)
    skipped = rows.filter(state=CampaignRecipient.State.PENDING).update(
        state=CampaignRecipient.State.SKIPPED, reason="erased"
    )
    cleared = rows.exclude(reason="erased").update(reason="")
    return {"campaign_rows": cleared + skipped}
