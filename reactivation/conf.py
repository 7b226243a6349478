"""Reactivation settings, each with a default, read when used so tests can override them.

They are plain Django settings (``settings.REACTIVATION_...``); config/settings.py may set them
from the environment. The defaults are the ones the issue asks for.
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    # Consent older than this asks to renew it before any call (UK marketing-style messages).
    "REACTIVATION_CONSENT_MAX_AGE_DAYS": 730,
    # Readiness checks: how often each dormant group's organiser is asked, and how long they have
    # to answer before the check counts as missed. Two misses in a row mark the contact stale.
    "REACTIVATION_READINESS_INTERVAL_DAYS": 91,
    "REACTIVATION_READINESS_ANSWER_DAYS": 14,
    "REACTIVATION_STALE_AFTER_MISSES": 2,
    # Governance: above either threshold a second person must approve before a campaign starts.
    "REACTIVATION_APPROVAL_RECIPIENTS": 200,
    "REACTIVATION_APPROVAL_COST_PENCE": 2_000,
    # Overlapping campaigns: someone messaged by another campaign within this many hours is left
    # out, so two managers waking the same street do not text the same person twice.
    "REACTIVATION_OVERLAP_HOURS": 72,
    # What Twilio bills per segment (UK long code, about 4p).
    "REACTIVATION_PRICE_PER_SEGMENT_PENCE": 4.0,
    # With no history of replies in an area, expect this share of people to answer READY.
    "REACTIVATION_DEFAULT_REPLY_RATE": 0.2,
    # Below this many earlier messages in the area, the history is too thin to trust.
    "REACTIVATION_MIN_HISTORY": 20,
}


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])


DEFAULTS["REACTIVATION_DEFAULT_SPEND_CAP_PENCE"] = 5_000
