"""Offers by call: the needs app's call script (registered with voice.registry in NeedsConfig.ready)
and the queueing of an offer call for a volunteer who is called instead of texted.

The call is queued by needs.services.offers (``_offer_call_queue``, script "needs.offer").
Key 1 is the same claim as YES by text (needs.services.claim.offer_accept): the winner hears the
requester's details twice, slowly, and (on a mobile) gets them by text too; anyone else hears that
someone else has taken it. Key 2 declines as NO does; 3 says the offer again; voice owns key 9.
"""

from __future__ import annotations

from django.conf import settings
from twilio.twiml.voice_response import VoiceResponse

from needs import voice_script as words
from needs.models import Need, Offer
from needs.selectors import need_area
from needs.services.claim import AcceptOutcome, offer_accept
from needs.services.offers import DeclineOutcome, offer_decline
from voice.models import OutboundCall
from voice.registry import CallTurn
from voice.speech import digits_spoken, goodbye_with, keys_menu, letters_spoken, say, slowly
from voice.voice_script import unknown_key
from volunteers.phones import phone_is_landline

SCRIPT = "needs.offer"


def _offer(call: OutboundCall) -> Offer | None:
    kind, _, raw = call.subject.partition(":")
    if kind != "offer" or not raw.isdigit():
        return None
    return (
        Offer.objects.select_related("need", "need__local_authority", "volunteer").filter(pk=int(raw)).first()
    )


def offer_call_wanted(call: OutboundCall) -> bool:
    offer = _offer(call)
    return offer is not None and offer.status == Offer.Status.OFFERED


def offer_call_opening(turn: CallTurn, *, first: str = "") -> VoiceResponse:
    """The offer in plain words (what, roughly where, when) and its keys; ``first`` said before."""
    offer = _offer(turn.call)
    if offer is None or offer.status != Offer.Status.OFFERED:
        return goodbye_with([words.not_open()], language=turn.language)
    need = offer.need
    response = VoiceResponse()
    if first:
        say(response, first, language=turn.language)
    intro = words.offer_intro(
        sender=settings.SMS_SENDER_NAME,
        category=need.get_category_display(),
        area=need_area(need=need),
        window=words.window_spoken(need.window_start, need.window_end),
    )
    say(response, intro, language=turn.language)
    keys_menu(response, action=turn.keys_url, sentences=words.offer_keys(), language=turn.language)
    return response


def _details(offer: Offer, language: str) -> VoiceResponse:
    """The requester's details, twice, slowly: only ever after this volunteer took the task."""
    need = Need.objects.get(pk=offer.need_id)
    lines = words.detail_lines(
        name=need.requester_name,
        phone=digits_spoken(need.requester_phone) if need.requester_phone else "",
        address=need.requester_address,
        postcode=letters_spoken(need.postcode) if need.postcode else "",
        details=need.details,
        window=words.window_spoken(need.window_start, need.window_end),
    )
    response = VoiceResponse()
    say(response, words.accepted(), language=language)
    response.pause(length=1)
    slowly(response, lines, language=language)
    say(response, words.once_more(), language=language)
    slowly(response, lines, language=language)
    if not phone_is_landline(offer.volunteer.phone):
        say(response, words.also_by_text(), language=language)
    say(response, words.ask_coordinator(), language=language)
    response.hangup()
    return response


def offer_call_keys(turn: CallTurn, digits: str) -> tuple[VoiceResponse, str]:
    offer = _offer(turn.call)
    language = turn.language
    if offer is None:
        return goodbye_with([words.not_open()], language=language), ""
    if digits == "1":
        outcome = offer_accept(offer=offer, channel=Offer.Channel.VOICE)
        if outcome in (AcceptOutcome.ACCEPTED, AcceptOutcome.ALREADY_YOURS):
            return _details(offer, language), "accepted"
        if outcome == AcceptOutcome.ALREADY_TAKEN:
            return goodbye_with([words.taken()], language=language), "taken"
        return goodbye_with([words.not_open()], language=language), "not_open"
    if digits == "2":
        if offer_decline(offer=offer, channel=Offer.Channel.VOICE) == DeclineOutcome.DECLINED:
            return goodbye_with([words.declined()], language=language), "declined"
        return goodbye_with([words.already_closed()], language=language), ""
    if digits == "3":
        return offer_call_opening(turn), ""
    return offer_call_opening(turn, first=unknown_key()), ""
