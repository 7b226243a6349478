"""An offer's link (/o/<token>/): made for each text that carries it, found again from a visit, and
open only while the offer is.

The token is random and only its hash is kept (volunteers/links.py). The link has no date of its
own: it opens the offer while the offer waits for an answer, and the accepted volunteer's page while
the need is assigned. Once the offer has ended (declined, expired, withdrawn, done, or the need
closed) the page says only that it has ended: no task, no place, nothing personal.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from needs.models import Need, Offer
from volunteers.links import link_find, links_issue
from volunteers.models import VolunteerLink

OPEN_NEED = (Need.Status.OPEN, Need.Status.OFFERED)


def offer_links_issue(*, offers: list[Offer]) -> dict[int, str]:
    """A new link to each offer's page for its volunteer, as a full address for a text: {offer id:
    link}, made in one INSERT."""
    tokens = links_issue(
        holders=[(offer.volunteer_id, offer.pk) for offer in offers], purpose=VolunteerLink.Purpose.OFFER
    )
    return {
        offer.pk: f"{settings.PUBLIC_BASE_URL}/o/{token}/"
        for offer, token in zip(offers, tokens, strict=True)
    }


def offer_link_issue(*, offer: Offer) -> str:
    """A new link to ``offer``'s page (see ``offer_links_issue``)."""
    return offer_links_issue(offers=[offer])[offer.pk]


def offer_by_token(*, token: str) -> Offer | None:
    """The offer behind a ``/o/<token>/`` link, or None for a token that is unknown or revoked."""
    link = link_find(token=token, purpose=VolunteerLink.Purpose.OFFER)
    if link is None or link.subject_id is None:
        return None
    return (
        Offer.objects.filter(pk=link.subject_id, volunteer_id=link.volunteer_id)
        .select_related("need", "need__organisation", "need__local_authority", "volunteer")
        .first()
    )


def offer_link_open(*, offer: Offer, now: datetime | None = None) -> bool:
    """The link opens the offer while it waits for an answer (and its time has not run out), and
    the page of the volunteer who accepted while the need is assigned."""
    now = now or timezone.now()
    need = offer.need
    if offer.status == Offer.Status.ACCEPTED:
        return need.status == Need.Status.ASSIGNED
    return (
        offer.status == Offer.Status.OFFERED
        and need.status in OPEN_NEED
        and (offer.expires_at is None or offer.expires_at > now)
    )


def offer_link_ended_reason(*, offer: Offer) -> str:
    """Why the link no longer opens anything, in plain words that name nothing of the task."""
    need = offer.need
    if offer.status == Offer.Status.ACCEPTED and need.status == Need.Status.DONE:
        return _("This task is done. Thank you for helping!")
    if offer.status == Offer.Status.DECLINED:
        return _("You said no to this one. Thank you for letting us know.")
    if need.status == Need.Status.EXPIRED:
        return _("This request has ended: the time it was for has passed. Thank you for being ready to help.")
    if need.status in Need.CLOSED_STATUSES:
        return _("This request has been closed.")
    if offer.status == Offer.Status.WITHDRAWN:
        return _("This request is no longer open to you: someone else took it, or it was closed.")
    return _("The time to answer this one has run out.")
