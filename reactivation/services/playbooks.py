"""Writes for playbooks and campaigns."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from reactivation.models import Playbook, PlaybookVersion

VERSIONED_FIELDS: tuple[tuple[str, Any], ...] = (
    ("steps", list),
    ("roles", list),
    ("templates", dict),
    ("targeting", dict),
    ("wave_rules", dict),
)


@transaction.atomic
def playbook_import(*, document: dict[str, Any]) -> Playbook:
    """Create a playbook from its JSON form, or add a version when its content has changed.

    Importing the same document twice adds nothing, so a region can re-import a shared playbook.
    """
    playbook, _ = Playbook.objects.update_or_create(
        slug=document["slug"],
        defaults={
            "title": document["title"],
            "crisis_type": document["crisis_type"],
            "summary": document["summary"],
        },
    )
    content = {key: document.get(key) or factory() for key, factory in VERSIONED_FIELDS}
    current = playbook.current_version
    if current is None or any(getattr(current, key) != value for key, value in content.items()):
        PlaybookVersion.objects.create(
            playbook=playbook,
            number=(current.number + 1) if current else 1,
            change_note=document.get("change_note", "Imported"),
            **content,
        )
    return playbook
