"""django-q2 tasks. Each takes ids, loads rows and calls a service; each is safe to run twice
(the services claim before they act), because the broker may deliver a task again."""

from __future__ import annotations

from reactivation.services.campaign_sending import campaign_advance, campaigns_advance_all
from reactivation.services.readiness import readiness_cycle


def campaign_advance_task(campaign_id: int) -> str:
    return campaign_advance(campaign_id=campaign_id)


def campaigns_advance_task() -> list[str]:
    """Every minute: send due waves, finish campaigns that reached their target."""
    return campaigns_advance_all()


def readiness_cycle_task() -> dict[str, int]:
    """Daily: close unanswered readiness checks, ask deputies of stale groups, send due checks."""
    return readiness_cycle()
