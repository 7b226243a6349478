"""Who reads and answers which inbox, written so each rule reads as a sentence.

- A text that needs a person goes to the organisations that know its sender; each organisation's
  copy is read and answered by that organisation's coordinators, and, for an infrastructure body,
  by its campaign managers too (they run the region's work there).
- A text from a number nobody on the register knows goes to the regional desk, which only the
  coordinators and campaign managers of an infrastructure body read and answer.
- A viewer reads no inbox: the texts are people's words about their own lives, for those who act.
- A superuser reads and answers every inbox and the desk.
"""

from __future__ import annotations

from typing import Any, cast

from volunteers.models import Organisation
from volunteers.permissions import (
    COORDINATOR,
    WRITER_ROLES,
    User,
    is_superuser,
    organisation_ids_for,
)


def _infrastructure_ids(*, user: User | None) -> set[int]:
    """The infrastructure bodies where ``user`` is a coordinator or campaign manager: one query,
    then cached on the user object for the request, as the roles are (keyed by those roles, so a
    role granted since is seen)."""
    writers = frozenset(organisation_ids_for(user=user, roles=WRITER_ROLES))
    if not writers:
        return set()
    cached = getattr(user, "_rekindle_infrastructure", None)
    if cached is None or cached[0] != writers:
        ids = set(
            Organisation.objects.filter(id__in=writers, kind=Organisation.Kind.INFRASTRUCTURE).values_list(
                "id", flat=True
            )
        )
        cached = (writers, ids)
        cast(Any, user)._rekindle_infrastructure = cached  # a cache on the object, not a model field
    return set(cached[1])


def inbox_organisation_ids(*, user: User | None) -> set[int]:
    """The organisations whose inbox ``user`` reads and answers."""
    return organisation_ids_for(user=user, roles={COORDINATOR}) | _infrastructure_ids(user=user)


def can_use_desk(*, user: User | None) -> bool:
    """Only an infrastructure body's coordinators and campaign managers (and superusers) read the
    regional desk."""
    return is_superuser(user) or bool(_infrastructure_ids(user=user))


def has_inbox(*, user: User | None) -> bool:
    """Whether the menu offers ``user`` an inbox: they read at least one."""
    return is_superuser(user) or bool(inbox_organisation_ids(user=user))


def can_answer_entry(*, user: User | None, organisation_id: int | None) -> bool:
    """Whether ``user`` reads and answers the copy of a text kept for ``organisation_id`` (None:
    the regional desk)."""
    if is_superuser(user):
        return True
    if organisation_id is None:
        return can_use_desk(user=user)
    return organisation_id in inbox_organisation_ids(user=user)
