"""Links that open a volunteer's own page (/v/<token>/) or one of their offers (/o/<token>/).

Volunteers have no passwords: the link is the key, so it is treated like one. The token is 32
random bytes from ``secrets``; the server keeps only its SHA-256 (a leaked table opens nothing),
with whose link it is, what for, when it was made, when it ends and whether it was revoked. A page
link ends 14 days after it was made, whatever happens in between: visiting it never makes a new
one (texting LINK does). An offer link has no date of its own: it lives as long as the offer (the
needs app decides that). Opting out and erasure revoke every link (volunteers.contact_state).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from volunteers.models import Volunteer, VolunteerLink

PAGE_LINK_LIFETIME = timedelta(days=14)
_TOKEN_BYTES = 32
_TOKEN_MAX_LENGTH = 64  # token_urlsafe(32) is 43 characters; anything longer is not ours


def token_hash(token: str) -> str:
    # The token is 256 random bits: a plain SHA-256 cannot be reversed or guessed.
    return hashlib.sha256(token.encode()).hexdigest()


def links_issue(
    *,
    holders: list[tuple[int, int | None]],
    purpose: str,
    lifetime: timedelta | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Make one new link for each (volunteer id, subject id) of ``holders`` in one INSERT, and
    return their tokens in the same order (the only time they exist in clear). ``lifetime`` None:
    a link lasts as long as what it opens (its subject, an offer)."""
    now = now or timezone.now()
    tokens = [secrets.token_urlsafe(_TOKEN_BYTES) for _ in holders]
    VolunteerLink.objects.bulk_create(
        [
            VolunteerLink(
                token_hash=token_hash(token),
                volunteer_id=volunteer_id,
                purpose=purpose,
                subject_id=subject_id,
                created_at=now,
                expires_at=now + lifetime if lifetime is not None else None,
            )
            for token, (volunteer_id, subject_id) in zip(tokens, holders, strict=True)
        ]
    )
    return tokens


def link_issue(
    *,
    volunteer_id: int,
    purpose: str,
    subject_id: int | None = None,
    lifetime: timedelta | None = None,
    now: datetime | None = None,
) -> str:
    """One new link (see ``links_issue``); returns its token."""
    (token,) = links_issue(holders=[(volunteer_id, subject_id)], purpose=purpose, lifetime=lifetime, now=now)
    return token


def link_find(*, token: str, purpose: str, now: datetime | None = None) -> VolunteerLink | None:
    """The live link behind ``token`` (not revoked, not past its end), with its volunteer; None for
    anything else, so that a forged, expired and revoked link look alike."""
    if not token or len(token) > _TOKEN_MAX_LENGTH:
        return None
    now = now or timezone.now()
    return (
        VolunteerLink.objects.filter(token_hash=token_hash(token), purpose=purpose, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("volunteer")
        .first()
    )


def links_revoke(*, volunteer_id: int, now: datetime | None = None) -> int:
    """Revoke every live link of a volunteer (opt-out, erasure). Returns how many."""
    return VolunteerLink.objects.filter(volunteer_id=volunteer_id, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )


# --- the volunteer's own page ---------------------------------------------------------------------
def page_link_issue(*, volunteer: Volunteer, now: datetime | None = None) -> str:
    """A new link to the volunteer's own page (its path), good for PAGE_LINK_LIFETIME."""
    token = link_issue(
        volunteer_id=volunteer.pk, purpose=VolunteerLink.Purpose.PAGE, lifetime=PAGE_LINK_LIFETIME, now=now
    )
    return reverse("volunteer-page", args=[token])


def page_link_url(path: str) -> str:
    """The absolute form of a page link, to put in a text or for the volunteer to keep."""
    return settings.PUBLIC_BASE_URL + path


def page_link_find(*, token: str) -> VolunteerLink | None:
    """The live page link behind ``token``, or None (forged, expired, revoked)."""
    return link_find(token=token, purpose=VolunteerLink.Purpose.PAGE)
