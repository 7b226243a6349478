"""Pieces of the need pages that read more than one app: the need form started from an inbox
text, and the accepting volunteer's number on a need's page. Kept out of needs/views.py so that
the views stay a list of thin functions."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from messaging.inbox import inbox_need_posted, inbox_need_prefill
from needs.models import Need
from volunteers.permissions import can_see_volunteer_contact
from volunteers.phones import phone_display
from volunteers.register_services import register_contact_read_record


def need_prefill_from_text(request: HttpRequest, organisations: list) -> dict:
    """ "Start a need from this text" (the inbox): the sender's phone and the postcode in the text
    (or the caller's and the postcode they said) as the form's first answers. Only from a text in an inbox the person reads (audited)."""
    raw = request.GET.get("from_text", "")
    if request.method != "GET" or not raw:
        return {}
    prefill = inbox_need_prefill(user=request.user, entry_id=int(raw)) if raw.isdigit() else None
    if prefill is None:
        raise Http404("No such text in your inbox.")
    initial: dict[str, object] = {"requester_phone": prefill.requester_phone, "postcode": prefill.postcode}
    if any(o.id == prefill.organisation_id for o in organisations):
        initial["organisation"] = prefill.organisation_id
    return {
        "initial": initial,
        "text": prefill.text,
        "call_id": prefill.call_id,
        "call_recorded": prefill.call_recorded,
    }


def need_from_text_done(request: HttpRequest, need: Need) -> str:
    """After posting a need started from an inbox text or call (the form posts back to its own
    address, ``?from_text=`` included): that text or call is dealt with. "text" or "call" when it
    was marked so now, "" otherwise."""
    raw = request.GET.get("from_text", "")
    if not raw.isdigit():
        return ""
    return inbox_need_posted(user=request.user, entry_id=int(raw), ref=need.ref)


def need_helper_phone(request: HttpRequest, need: Need) -> str:
    """The accepting volunteer's number, for those who may reach them (the posting organisation's
    coordinators while the need is theirs, by the contact rule); the read is audited."""
    helper = need.assigned_volunteer
    if helper is None or not can_see_volunteer_contact(user=request.user, volunteer=helper):
        return ""
    register_contact_read_record(actor=request.user, volunteer_ids=[helper.pk], path=request.path)
    return phone_display(helper.phone)
