"""The SMS words about a volunteer's own contact: PAUSE, AVAILABLE and LINK.

PAUSE and AVAILABLE go through volunteers.contact_state like every change of a person's state (its
table decides; after STOP they change nothing and the answer says how to opt back in). LINK sends a
fresh link to the volunteer's own page; it is registered as a handler in messaging/apps.py.
"""

from __future__ import annotations

from django.conf import settings

from messaging import grammar
from messaging.models import InboundMessage
from messaging.registry import InboundContext
from volunteers.contact_state import Event, contact_event_record
from volunteers.links import PAGE_LINK_LIFETIME, page_link_issue, page_link_url
from volunteers.models import Volunteer

Outcome = InboundMessage.Outcome
S = Volunteer.Status

NOT_A_VOLUNTEER = "This number is not registered as a volunteer. To join, sign up at {join}"
FOR_A_PERSON = " A coordinator will read your message."
OPTED_OUT = (
    "You opted out of our texts, so nothing has changed. To hear from us again, text START. "
    "Then text {word} again."
)
PAUSED = "Paused: we will not offer you tasks. Reply AVAILABLE when you can help again."
AVAILABLE = "Thank you: you will get offers again. Reply PAUSE to stop them."
YOUR_LINK = (
    "Your own page (take a break, change when you can help): {url} It works for {days} days. "
    "Text LINK for a new one."
)
# After STOP or erasure there is no row to act for, or no consent to text: these states only
# ever get the "how to come back" answers.
_WITHOUT_LINKS = (S.OPTED_OUT, S.ERASED)


def _join_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}/join/"


def contact_command_handle(*, phone: str, name: str) -> tuple[str, str]:
    """PAUSE or AVAILABLE from ``phone``: (the inbound outcome, the reply). Not a volunteer's number:
    not understood (it goes to the inbox for a person to read), with how to join."""
    event = Event.PAUSE if name == grammar.PAUSE else Event.AVAILABLE
    transition = contact_event_record(phone=phone, event=event)
    if transition.volunteer_id is None:
        return Outcome.NOT_UNDERSTOOD, NOT_A_VOLUNTEER.format(join=_join_url()) + FOR_A_PERSON
    if transition.after == S.OPTED_OUT:
        return Outcome.HANDLED, OPTED_OUT.format(word=name)
    return Outcome.HANDLED, PAUSED if transition.after == S.PAUSED else AVAILABLE


def link_handle(context: InboundContext) -> str | None:
    """messaging.registry handler for LINK: a fresh link to the volunteer's own page. Each LINK
    makes a new one; the ones before keep their own end date."""
    volunteer = context.volunteer
    if volunteer is None:
        return NOT_A_VOLUNTEER.format(join=_join_url())
    if volunteer.status in _WITHOUT_LINKS:
        return OPTED_OUT.format(word="LINK")
    url = page_link_url(page_link_issue(volunteer=volunteer))
    return YOUR_LINK.format(url=url, days=PAGE_LINK_LIFETIME.days)
