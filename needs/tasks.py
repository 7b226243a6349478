"""Background work for needs. Tasks take ids (or nothing), load rows and call a service."""

from __future__ import annotations

from needs.services.expiry import needs_expire_due
from needs.services.followups import needs_follow_up_due
from needs.services.offers import offers_expire_due


def offers_expire_task() -> dict:
    """Run every minute by the django-q2 schedule "needs: expire offers" (migration 0002)."""
    return offers_expire_due()


def needs_follow_up_task() -> dict:
    """Run every 10 minutes by the django-q2 schedule "needs: follow up assigned needs" (0003)."""
    return needs_follow_up_due()


def needs_expire_task() -> dict:
    """Run every minute by the schedule "needs: close needs whose time has passed" (needs/schedules.py)."""
    return needs_expire_due()
