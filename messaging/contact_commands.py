"""The SMS words about a volunteer's own contact: PAUSE, AVAILABLE, LINK and LANGUAGE.

PAUSE and AVAILABLE go through volunteers.contact_state like every change of a person's state (its
table decides; after STOP they change nothing and the answer says how to opt back in). LINK sends a
fresh link to the volunteer's own page, and LANGUAGE <name> their language (texts, calls, pages);
both are registered as handlers in messaging/apps.py. Every answer is in the volunteer's language
(the dispatcher's ``translation.override``); the reply words stay in Latin capitals.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.languages import SPOKEN, language_find
from messaging import grammar
from messaging.models import InboundMessage
from messaging.registry import InboundContext
from volunteers.contact_state import Event, contact_event_record
from volunteers.links import PAGE_LINK_LIFETIME, page_link_issue, page_link_url
from volunteers.models import Volunteer
from volunteers.signup import volunteer_language_set

Outcome = InboundMessage.Outcome
S = Volunteer.Status

NOT_A_VOLUNTEER = gettext_lazy("This number is not registered as a volunteer. To join, sign up at %(join)s")
FOR_A_PERSON = gettext_lazy("A coordinator will read your message.")
OPTED_OUT = gettext_lazy(
    "You opted out of our texts, so nothing has changed. To hear from us again, text START. "
    "Then text %(word)s again."
)
PAUSED = gettext_lazy("Paused: we will not offer you tasks. Reply AVAILABLE when you can help again.")
AVAILABLE = gettext_lazy("Thank you: you will get offers again. Reply PAUSE to stop them.")
YOUR_LINK = gettext_lazy(
    "Your own page (take a break, change when you can help): %(url)s It works for %(days)s days. "
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
        return Outcome.NOT_UNDERSTOOD, f"{NOT_A_VOLUNTEER % {'join': _join_url()}} {FOR_A_PERSON}"
    if transition.after == S.OPTED_OUT:
        return Outcome.HANDLED, str(OPTED_OUT) % {"word": name}
    return Outcome.HANDLED, str(PAUSED if transition.after == S.PAUSED else AVAILABLE)


def link_handle(context: InboundContext) -> str | None:
    """messaging.registry handler for LINK: a fresh link to the volunteer's own page. Each LINK
    makes a new one; the ones before keep their own end date."""
    volunteer = context.volunteer
    if volunteer is None:
        return str(NOT_A_VOLUNTEER) % {"join": _join_url()}
    if volunteer.status in _WITHOUT_LINKS:
        return str(OPTED_OUT) % {"word": "LINK"}
    url = page_link_url(page_link_issue(volunteer=volunteer))
    return str(YOUR_LINK) % {"url": url, "days": PAGE_LINK_LIFETIME.days}


def language_names() -> str:
    """The choices as the grammar reads them, with each one's own name: "POLISH (Polski)"."""
    return ", ".join(
        lang.english.upper() if lang.own_name == lang.english else f"{lang.english.upper()} ({lang.own_name})"
        for lang in SPOKEN
    )


def language_handle(context: InboundContext) -> str | None:
    """messaging.registry handler for LANGUAGE <name>: the volunteer's language from now on,
    answered in it. A name we do not know (or none) gets the list of choices."""
    volunteer = context.volunteer
    if volunteer is None:
        return str(NOT_A_VOLUNTEER) % {"join": _join_url()}
    if volunteer.status in _WITHOUT_LINKS:
        return str(OPTED_OUT) % {"word": "LANGUAGE"}
    found = language_find(context.command.argument)
    if found is None:
        return _("Sorry, we do not know that language. Text LANGUAGE and one of: %(names)s.") % {
            "names": language_names()
        }
    volunteer_language_set(volunteer=volunteer, language=found.code)
    with translation.override(found.code):
        # Translators: say "in" your own language (Polish: "po polsku"), not "in English".
        return _("From now on we will write to you in English. To change it, text LANGUAGE and a name.")
