"""voice's share of a person's data: the calls placed to their number (the number, when, why, what
was pressed; nothing said on a call is recorded). operations.data_rights composes it."""

from __future__ import annotations

from voice.models import OutboundCall


def calls_subject_access(*, phone: str) -> dict[str, list[dict]]:
    return {
        "calls_to_them": [
            {
                "at": call.created_at.isoformat(),
                "purpose": call.purpose,
                "state": call.get_state_display(),
                "answered_by": call.answered_by,
                "keys_pressed": call.keys,
                "outcome": call.outcome,
                "seconds": call.duration_seconds,
            }
            for call in OutboundCall.objects.filter(to=phone).order_by("created_at")
        ]
    }


def calls_erase(*, phone: str) -> dict[str, int]:
    """Delete the calls to ``phone``. The opt-out an erasure leaves keeps the number from being
    called again (voice.calling checks it, by hash too)."""
    deleted, _ = OutboundCall.objects.filter(to=phone).delete()
    return {"calls": deleted}
