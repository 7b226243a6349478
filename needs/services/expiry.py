"""A need whose window has ended while nobody had it expires: its offers are withdrawn without
another text (the volunteers' links say it has ended), and the posting organisation's coordinators
are told (the audit line "need.expired" raises their alert, operations/alerts.py)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from needs.models import Need
from needs.need_state import TRANSITIONS, Event, need_transition
from needs.services.offers import offers_withdraw
from volunteers.services import audit_record

logger = logging.getLogger(__name__)

EXPIRED_ACTION = "need.expired"


def need_expire(*, need: Need, now: datetime | None = None) -> bool:
    """Expire ``need`` if the table allows it (open or offered). Returns whether it did."""
    now = now or timezone.now()
    with transaction.atomic():
        if not need_transition(need_id=need.pk, event=Event.EXPIRE, now=now):
            return False
        withdrawn = offers_withdraw(need=need, reason=gettext_noop("has ended"), now=now, tell=False)
        audit_record(
            actor=None,
            action=EXPIRED_ACTION,
            target=need,
            organisation=need.organisation,
            detail={
                "ref": need.ref,
                "window_end": need.window_end.isoformat() if need.window_end else None,
                "offers_withdrawn": len(withdrawn),
            },
        )
    need.refresh_from_db()
    return True


def needs_expire_due(*, now: datetime | None = None) -> dict[str, int]:
    """Expire every need still waiting for a volunteer whose window ended by ``now``. Safe to run
    twice or at once in two workers: each need moves in one conditional UPDATE."""
    now = now or timezone.now()
    due = Need.objects.filter(status__in=list(TRANSITIONS[Event.EXPIRE]), window_end__lte=now).select_related(
        "organisation", "local_authority"
    )
    expired = 0
    for need in due:
        try:
            expired += need_expire(need=need, now=now)
        except Exception:  # one bad need must not stop the sweep for the others
            logger.exception("Expiring need %s failed", need.pk)
    return {"expired": expired}
