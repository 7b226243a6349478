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


def density_rebuild_task(
    alias: str, requires_dbs: str, needs_car: bool, language: str, skills: list[str] | None = None
) -> int:
    """Enqueued by the matcher when its shared density map is missing or stale (safe to run twice:
    the last build wins). Returns the number of map cells."""
    from needs.matching.density import density_rebuild
    from needs.matching.ranking import NeedSpec

    spec = NeedSpec(
        0.0,
        0.0,
        0.0,
        requires_dbs=requires_dbs,
        needs_car=needs_car,
        language=language,
        skills=tuple(skills or ()),
    )
    return sum(len(cells) for cells in density_rebuild(spec, alias=alias).values())
