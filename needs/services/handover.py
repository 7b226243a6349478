"""Handing a need to another organisation whose area covers its place (posted to the wrong group,
or one that cannot help in time). Its open offers are withdrawn; from then on the receiving
organisation's coordinators manage it and see the requester, and the old organisation no longer
does (needs.permissions follows ``Need.organisation``). Audited on both sides; the receiving side's
line ("need.received") raises its coordinators' alert (operations/alerts.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from needs.models import Need
from needs.need_state import Event, need_may, need_transition, refused_words
from needs.permissions import User, acting_user
from needs.selectors import organisations_to_hand_to
from needs.services.editing import NeedNotEditable
from needs.services.offers import offers_withdraw
from volunteers.models import Organisation
from volunteers.services import audit_record

HANDED_OVER_ACTION = "need.handed_over"
RECEIVED_ACTION = "need.received"
WITHDRAWN_REASON = gettext_noop("has moved to another group, so it is no longer offered to you")


def need_hand_over(*, need: Need, to_organisation: Organisation, actor: User | None) -> int:
    """Give ``need`` (open or offered) to ``to_organisation``, which must cover its place. Returns
    how many open offers were withdrawn. Raises NeedNotEditable when the need is no longer waiting
    and ValidationError({"organisation": ...}) for an organisation that does not cover it."""
    if not need_may(need=need, event=Event.HAND_OVER):
        raise NeedNotEditable(refused_words(need=need, event=Event.HAND_OVER))
    if not organisations_to_hand_to(need=need).filter(pk=to_organisation.pk).exists():
        raise ValidationError(
            {"organisation": f"{to_organisation.name} does not cover the place of need {need.ref}."}
        )
    old = need.organisation
    now = timezone.now()
    with transaction.atomic():
        withdrawn = offers_withdraw(need=need, reason=WITHDRAWN_REASON, now=now)
        if not need_transition(
            need_id=need.pk, event=Event.HAND_OVER, now=now, organisation_id=to_organisation.pk
        ):
            raise NeedNotEditable(refused_words(need=Need.objects.get(pk=need.pk), event=Event.HAND_OVER))
        detail = {
            "ref": need.ref,
            "from": old.slug,
            "to": to_organisation.slug,
            "offers_withdrawn": len(withdrawn),
        }
        audit_record(
            actor=acting_user(actor), action=HANDED_OVER_ACTION, target=need, organisation=old, detail=detail
        )
        need.refresh_from_db()
        audit_record(
            actor=acting_user(actor),
            action=RECEIVED_ACTION,
            target=need,
            organisation=to_organisation,
            detail=detail,
        )
    return len(withdrawn)
