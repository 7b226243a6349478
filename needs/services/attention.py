"""Showing a coordinator what needs their attention, with the audit line for the phones shown."""

from __future__ import annotations

from typing import Any

from needs.permissions import User, acting_user
from needs.selectors import attention_for
from volunteers.phones import phone_display
from volunteers.services import audit_record


def attention_show(*, user: User) -> dict[str, Any]:
    """``needs.selectors.attention_for`` ready for the page (home and needs list): the volunteers
    who cannot be matched come with their phone (``phone_shown``) so someone can ask them for a
    postcode, and that read is written to the audit log, as in the API. They are in the
    coordinator's own groups, so the contact rule lets them see it. One audit row at most."""
    attention = attention_for(user=user)
    unmatched = attention.get("cannot_be_matched") or []
    if unmatched:
        for volunteer in unmatched:
            volunteer.phone_shown = phone_display(volunteer.phone)
        audit_record(
            actor=acting_user(user),
            action="volunteer.contact.read",
            detail={"volunteer_ids": sorted(v.id for v in unmatched), "path": "attention"},
        )
    return attention
