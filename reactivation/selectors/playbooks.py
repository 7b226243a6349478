"""Reads of playbooks."""

from __future__ import annotations

from django.db.models import QuerySet

from reactivation.models import Playbook, PlaybookVersion


def playbook_versions(*, playbook: Playbook) -> QuerySet[PlaybookVersion]:
    """Every version, newest first; old ones stay readable for the campaigns that ran them."""
    return playbook.versions.select_related("created_by").order_by("-number")
