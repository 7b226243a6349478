"""Campaign calls: the reactivation app's call script (registered with voice.registry in
ReactivationConfig.ready) for a volunteer who is called instead of texted. Key 1 is READY and key
2 NOT NOW, through the same service as the texts (reactivation.services.replies.reply_record);
3 says it again; voice owns key 9 (opt out of everything)."""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from reactivation import voice_script as words
from reactivation.models import Campaign, CampaignRecipient
from reactivation.selectors.replies import OPEN_ROW_STATES
from reactivation.services.campaign_sending import recipient_body
from reactivation.services.replies import NOTHING_OPEN, reply_record
from voice.models import OutboundCall
from voice.registry import CallTurn
from voice.speech import goodbye_with, keys_menu, say
from voice.voice_script import unknown_key

SCRIPT = "reactivation.campaign"


def _row(call: OutboundCall) -> CampaignRecipient | None:
    kind, _, raw = call.subject.partition(":")
    if kind != "recipient" or not raw.isdigit():
        return None
    return (
        CampaignRecipient.objects.select_related(
            "campaign", "campaign__organisation", "campaign__playbook_version", "volunteer", "group"
        )
        .filter(pk=int(raw))
        .first()
    )


def campaign_call_wanted(call: OutboundCall) -> bool:
    """Still worth calling: the campaign runs, has not stood down, and the row waits for an answer."""
    row = _row(call)
    return (
        row is not None
        and row.state in OPEN_ROW_STATES
        and row.campaign.status == Campaign.Status.RUNNING
        and row.campaign.stood_down_at is None
    )


def campaign_call_opening(turn: CallTurn, *, first: str = "") -> VoiceResponse:
    row = _row(turn.call)
    if row is None:
        return goodbye_with([words.no_longer_open()], language=turn.language)
    sender = row.campaign.organisation.name
    body, _ = recipient_body(row.campaign, row, spoken=True)
    response = VoiceResponse()
    if first:
        say(response, first, language=turn.language)
    say(response, words.campaign_intro(sender=sender), language=turn.language)
    say(response, words.campaign_words(body, sender=sender), language=turn.language)
    keys_menu(response, action=turn.keys_url, sentences=words.campaign_keys(), language=turn.language)
    return response


def campaign_call_keys(turn: CallTurn, digits: str) -> tuple[VoiceResponse, str]:
    language = turn.language
    if digits in ("1", "2"):
        ready = digits == "1"
        reply = reply_record(phone=turn.call.to, ready=ready)
        if reply == NOTHING_OPEN:
            return goodbye_with([words.nothing_open()], language=language), ""
        said = words.ready() if ready else words.not_now()
        return goodbye_with([said], language=language), "ready" if ready else "not_now"
    if digits == "3":
        return campaign_call_opening(turn), ""
    return campaign_call_opening(turn, first=unknown_key()), ""
