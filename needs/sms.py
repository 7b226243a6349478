"""The needs app's SMS commands: YES, NO and DONE, and what messaging may know of a number: the
offers open for it and the organisations whose needs it asked for or helps with (all registered
in NeedsConfig.ready).

messaging parses the text into an SmsCommand and calls these with an InboundContext; each returns
the reply text, in the volunteer's language (messaging renders it under their language). Replies
never carry a requester's details: the winner gets those in a separate
text queued by ``offer_accept``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.registry import InboundContext, OpenQuestion
from messaging.replies import OFFER
from messaging.timing import quiet_hours_end
from needs.models import Need, Offer
from needs.selectors import needs_about_phone, offer_for_phone_and_ref, offers_open_for_phone
from needs.services.claim import AcceptOutcome, offer_accept
from needs.services.lifecycle import need_mark_done
from needs.services.offers import DeclineOutcome, offer_decline


def _sender() -> str:
    return settings.SMS_SENDER_NAME


def _pick_offer(ctx: InboundContext, verb: str) -> tuple[Offer | None, str | None]:
    """The offer a YES/NO is about, or the reply explaining why none could be chosen."""
    ref = ctx.command.argument
    if ref:
        offer = offer_for_phone_and_ref(phone=ctx.phone, ref=ref)
        if offer is None:
            return None, _(
                "%(sender)s: we have no offer %(ref)s for this number. Check the REF in our text."
            ) % {
                "sender": _sender(),
                "ref": ref,
            }
        return offer, None
    open_offers = list(offers_open_for_phone(phone=ctx.phone)[:5])
    if len(open_offers) == 1:
        return open_offers[0], None
    if not open_offers:
        return None, _("%(sender)s: you have no open offers right now. Thank you for being ready.") % {
            "sender": _sender()
        }
    refs = " / ".join(f"{verb} {o.need.ref}" for o in open_offers)
    return None, _("%(sender)s: you have %(count)s open offers. Reply %(refs)s.") % {
        "sender": _sender(),
        "count": len(open_offers),
        "refs": refs,
    }


def _details_when(offer: Offer) -> str:
    """When the accepter's details text goes: at once, or (a normal or low need in quiet hours)
    when quiet hours end."""
    held_until = None if offer.need.is_urgent else quiet_hours_end(timezone.now(), settings.SMS_QUIET_HOURS)
    if held_until is None:
        return _("The details follow in the next text.")
    return _("The details follow at %(time)s, when our quiet hours end.") % {
        "time": f"{timezone.localtime(held_until):%H:%M}"
    }


def sms_yes(ctx: InboundContext) -> str:
    offer, reply = _pick_offer(ctx, "YES")
    if offer is None:
        return reply or ""
    ref = offer.need.ref
    outcome = offer_accept(offer=offer, channel=Offer.Channel.SMS)
    words = {
        AcceptOutcome.ACCEPTED: _("%(sender)s: %(ref)s is yours, thank you! %(details)s"),
        AcceptOutcome.ALREADY_YOURS: _(
            "%(sender)s: %(ref)s is already yours. Reply DONE %(ref)s when it is done."
        ),
        AcceptOutcome.ALREADY_TAKEN: _(
            "%(sender)s: sorry, %(ref)s has already been taken by another volunteer. Thank you!"
        ),
        AcceptOutcome.NOT_OPEN: _("%(sender)s: %(ref)s is no longer needed. Thank you!"),
        AcceptOutcome.EXPIRED: _(
            "%(sender)s: the offer of %(ref)s has run out of time and gone to others. Thank you!"
        ),
        AcceptOutcome.NOT_OFFERED: _("%(sender)s: the offer of %(ref)s is no longer open to you."),
    }[outcome]
    details = _details_when(offer) if outcome == AcceptOutcome.ACCEPTED else ""
    return words % {"sender": _sender(), "ref": ref, "details": details}


def sms_no(ctx: InboundContext) -> str:
    offer, reply = _pick_offer(ctx, "NO")
    if offer is None:
        return reply or ""
    ref = offer.need.ref
    if offer_decline(offer=offer, channel=Offer.Channel.SMS) == DeclineOutcome.DECLINED:
        return _("%(sender)s: no problem, we will ask someone else for %(ref)s. Thank you.") % {
            "sender": _sender(),
            "ref": ref,
        }
    return _("%(sender)s: the offer of %(ref)s was already closed. Nothing more to do.") % {
        "sender": _sender(),
        "ref": ref,
    }


def sms_done(ctx: InboundContext) -> str:
    ref = ctx.command.argument
    qs = Offer.objects.filter(volunteer__phone=ctx.phone, status=Offer.Status.ACCEPTED).select_related("need")
    if ref:
        qs = qs.filter(need__ref=ref)
    offers = [o for o in qs.order_by("-responded_at")[:5] if o.need.status == Need.Status.ASSIGNED]
    if not offers:
        done = qs.filter(need__status=Need.Status.DONE).first() if ref else None
        if done is not None:
            return _("%(sender)s: %(ref)s is already marked done. Thank you!") % {
                "sender": _sender(),
                "ref": ref,
            }
        words = _("%(sender)s: we found no task %(ref)s of yours to mark done. Reply HELP for help.")
        return (words % {"sender": _sender(), "ref": ref or ""}).replace("  ", " ")
    if len(offers) > 1:
        refs = " / ".join(f"DONE {o.need.ref}" for o in offers)
        return _("%(sender)s: which one? Reply %(refs)s.") % {"sender": _sender(), "refs": refs}
    need = offers[0].need
    need_mark_done(need=need, channel="sms")
    return _("%(sender)s: %(ref)s marked done. Thank you for helping!") % {
        "sender": _sender(),
        "ref": need.ref,
    }


def sms_open_offers(phone: str) -> list[OpenQuestion]:
    """messaging context provider: the offers waiting for this number's YES or NO."""
    return [
        OpenQuestion(
            kind=OFFER,
            label=f"offer of need {o.need.ref} ({o.need.get_category_display()})",
            organisation_id=o.need.organisation_id,
            asked_at=o.offered_at,
        )
        for o in offers_open_for_phone(phone=phone).order_by("-offered_at")[:5]
    ]


def sms_organisations_knowing(phone: str) -> dict[int, str]:
    """messaging sender knower: the organisations whose need this number asked for or is helping
    with, with why, in words for that organisation's inbox."""
    known: dict[int, str] = {}
    for need in needs_about_phone(phone=phone):
        if need.requester_phone == phone:
            why = f"The requester of your need {need.ref} ({need.get_category_display()})."
        else:
            why = f"The volunteer helping with your need {need.ref} ({need.get_category_display()})."
        known.setdefault(need.organisation_id, why)
    return known
