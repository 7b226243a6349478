"""How a campaign's texts end: "we have enough" (the stand-down) and a cancel.

Called by ``campaign_lifecycle`` once it has moved the campaign out of running (it owns the
status); this module owns what happens to the people and their texts then:

- texts still waiting in the outbox (quiet hours, the bulk brake, a pause) are withdrawn through
  the outbox and their cost returned, so they never go;
- people whose wave was never sent are not asked at all;
- those who said READY and were not deployed get the playbook's thanks / stand-down text, once
  (the dedupe key ``campaign-thanks:<campaign>:<volunteer>`` and the row's ``stood_down``);
- everyone else gets nothing more.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import translation

from core.i18n import call_line, text_language
from messaging.models import OutboundMessage
from messaging.services import WITHDRAWN, message_queue, messages_withdraw
from reactivation.models import Campaign, CampaignRecipient
from reactivation.selectors.campaigns import deployed_volunteer_ids
from reactivation.services.campaign_sending import campaign_key_prefix, opted_out_mark, sms_cost_pence
from reactivation.wording import call_line_insert, template_for, template_language, template_render

S = CampaignRecipient.State
NOT_NEEDED = "Not asked: the campaign had enough people before their wave"
WITHDRAWN_ENOUGH = "Withdrawn: the campaign had enough people before it went"
WITHDRAWN_CANCELLED = "Withdrawn: the campaign was cancelled before it went"


def thanks_key(*, campaign: Campaign, volunteer_id: int) -> str:
    """The dedupe key of a stand-down text: outside ``campaign:<id>:`` so no withdrawal of the
    campaign's calls ever takes it back."""
    return f"campaign-thanks:{campaign.pk}:{volunteer_id}"


def queued_withdraw(*, campaign: Campaign, reason: str, row_reason: str) -> int:
    """Withdraw the campaign's texts still waiting in the outbox (and those a pause held back):
    their rows leave "messaged" with ``row_reason`` and their cost is returned. Returns how many."""
    messages_withdraw(dedupe_key_prefix=campaign_key_prefix(campaign=campaign), reason=reason)
    rows = CampaignRecipient.objects.filter(
        campaign=campaign,
        state=S.MESSAGED,
        message__state=OutboundMessage.State.CANCELLED,
        message__error_code=WITHDRAWN,
    ).select_related("message")
    price = settings.REACTIVATION_PRICE_PER_SEGMENT_PENCE
    withdrawn = 0
    for row in rows:
        if row.message is None:
            continue  # not possible with the filter on its message above; nothing to refund
        # Moving the row out of "messaged" is the claim on its refund: a second call finds none.
        if CampaignRecipient.objects.filter(pk=row.pk, state=S.MESSAGED).update(
            state=S.SKIPPED, reason=row_reason
        ):
            withdrawn += 1
            cost = sms_cost_pence(body=row.message.body, price=price)
            Campaign.objects.filter(pk=campaign.pk, spent_pence__gte=cost).update(
                spent_pence=F("spent_pence") - cost
            )
    return withdrawn


def _thanks_body(campaign: Campaign, row: CampaignRecipient) -> str:
    templates = campaign.playbook_version.templates or {}
    volunteer = row.volunteer
    language = template_language(
        templates, name="thanks", preferred=volunteer.preferred_language, fallback=campaign.language
    )
    values = {
        "sender": campaign.organisation.name,
        "group": row.group.name if row.group else "",
        "area": volunteer.local_authority.name if volunteer.local_authority else "",
        "name": volunteer.name.split(" ")[0],
    }
    body = template_render(template_for(templates, name="thanks", language=language), values)
    with translation.override(text_language(language)):
        return call_line_insert(body, call_line())


def thanks_send(*, campaign: Campaign) -> int:
    """The thanks / stand-down text to each person who said READY and was not deployed; once
    each, however often this runs. Returns how many were queued by this call."""
    deployed = deployed_volunteer_ids(campaign=campaign)
    rows = (
        CampaignRecipient.objects.filter(campaign=campaign, state=S.READY, stood_down__isnull=True)
        .exclude(volunteer_id__in=deployed)
        .select_related("volunteer__local_authority", "group")
        .order_by("rank")
    )
    price = settings.REACTIVATION_PRICE_PER_SEGMENT_PENCE
    sent = 0
    for row in rows:
        body = _thanks_body(campaign, row)
        message = message_queue(
            to=row.volunteer.phone,
            body=body,
            dedupe_key=thanks_key(campaign=campaign, volunteer_id=row.volunteer_id),
            purpose="campaign_thanks",
            priority=OutboundMessage.Priority.BULK,
            volunteer=row.volunteer,
        )
        if message is None:
            continue  # opted out since they said READY: nothing more to them
        if CampaignRecipient.objects.filter(pk=row.pk, stood_down__isnull=True).update(stood_down=message):
            sent += 1
            Campaign.objects.filter(pk=campaign.pk).update(
                spent_pence=F("spent_pence") + sms_cost_pence(body=body, price=price)
            )
    return sent


@transaction.atomic
def campaign_stand_down(*, campaign: Campaign) -> dict[str, int]:
    """End a campaign's texts because it has enough people: see the module's docstring. Call
    after the campaign left "running" (its waves stop with it). Safe to call twice."""
    withdrawn = queued_withdraw(campaign=campaign, reason=WITHDRAWN_ENOUGH, row_reason=WITHDRAWN_ENOUGH)
    not_asked = CampaignRecipient.objects.filter(campaign=campaign, state=S.PENDING).update(
        state=S.SKIPPED, reason=NOT_NEEDED
    )
    opted_out = opted_out_mark(campaign=campaign)
    CampaignRecipient.objects.filter(campaign=campaign, state=S.MESSAGED).update(state=S.NO_ANSWER)
    thanked = thanks_send(campaign=campaign)
    return {"withdrawn": withdrawn, "not_asked": not_asked, "opted_out": opted_out, "thanked": thanked}
