"""Reads of playbooks."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from reactivation.models import Playbook, PlaybookVersion


def playbook_versions(*, playbook: Playbook) -> QuerySet[PlaybookVersion]:
    """Every version, newest first; old ones stay readable for the campaigns that ran them."""
    return playbook.versions.select_related("created_by").order_by("-number")


def playbooks_listed(*, with_lessons: bool = False) -> QuerySet[Playbook]:
    """Every playbook by title, each with its versions newest first (and its lessons, for one
    playbook's page)."""
    newest_first = Prefetch("versions", queryset=PlaybookVersion.objects.order_by("-number"))
    playbooks = (
        Playbook.objects.select_related("organisation").prefetch_related(newest_first).order_by("title")
    )
    if with_lessons:
        playbooks = playbooks.prefetch_related("lessons")
    return playbooks


def playbooks_runnable() -> list[Playbook]:
    """The playbooks a campaign can run (those with a version), by title."""
    return list(Playbook.objects.filter(versions__isnull=False).distinct().order_by("title"))
