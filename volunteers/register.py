"""Reads for the register's pages (/groups/ and /volunteers/): the groups and volunteers of the
organisations a staff member works for, searched and filtered. Other organisations' groups and
volunteers are not there at all; whose contact details show is volunteers/permissions.py's rule.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from volunteers.models import DBSLevel, MutualAidGroup, Volunteer
from volunteers.permissions import (
    COORDINATOR,
    WRITER_ROLES,
    User,
    has_role_in,
    is_superuser,
    organisation_ids_for,
)
from volunteers.postcode_shapes import PostcodeError, postcode_normalise

# How long since a volunteer was last heard from (a text, an answer, a visit to their page).
HEARD_CHOICES = [
    ("recent", "In the last 3 months"),
    ("quiet", "3 to 12 months ago"),
    ("silent", "Over a year ago"),
    ("never", "Never, since they joined"),
]


@dataclass(frozen=True)
class VolunteerSearch:
    query: str = ""
    local_authority_id: int | None = None
    status: str = ""
    skill: str = ""
    dbs: str = ""  # at least this level
    heard: str = ""  # one of HEARD_CHOICES


@dataclass(frozen=True)
class GroupSearch:
    query: str = ""
    local_authority_id: int | None = None
    status: str = ""


def register_reads(*, user: User | None) -> bool:
    """Whether ``user`` has a register to read: any role in an organisation, or a superuser."""
    return is_superuser(user) or bool(organisation_ids_for(user=user))


def _groups_scope(user: User | None) -> QuerySet[MutualAidGroup]:
    groups = MutualAidGroup.objects.all()
    if not is_superuser(user):
        groups = groups.filter(organisation_id__in=sorted(organisation_ids_for(user=user)))
    return groups


def register_groups(*, user: User | None, search: GroupSearch) -> QuerySet[MutualAidGroup]:
    """The groups of ``user``'s organisations that match ``search``, by name."""
    groups = _groups_scope(user).select_related("organisation", "local_authority")
    if search.query:
        groups = groups.filter(Q(name__icontains=search.query) | Q(notes__icontains=search.query))
    if search.local_authority_id:
        groups = groups.filter(local_authority_id=search.local_authority_id)
    if search.status:
        groups = groups.filter(status=search.status)
    return groups.order_by("name", "pk")


def register_group_for(*, user: User | None, pk: int) -> MutualAidGroup | None:
    """One group of ``user``'s organisations; None for any other (as if it did not exist)."""
    return _groups_scope(user).select_related("organisation", "local_authority").filter(pk=pk).first()


def _volunteers_scope(user: User | None) -> QuerySet[Volunteer]:
    volunteers = Volunteer.objects.exclude(status=Volunteer.Status.ERASED)
    if not is_superuser(user):
        mine = sorted(organisation_ids_for(user=user))
        volunteers = volunteers.filter(memberships__group__organisation_id__in=mine).distinct()
    return volunteers


def _heard_filter(heard: str, now: datetime) -> Q:
    if heard == "never":
        return Q(last_active_at__isnull=True)
    recent, year = now - timedelta(days=91), now - timedelta(days=365)
    return {
        "recent": Q(last_active_at__gte=recent),
        "quiet": Q(last_active_at__lt=recent, last_active_at__gte=year),
        "silent": Q(last_active_at__lt=year),
    }.get(heard, Q())


def _query_filter(query: str, *, by_phone: bool) -> Q:
    match = Q(name__icontains=query) | Q(postcode__icontains=query)
    compact = query.replace(" ", "")
    with suppress(PostcodeError):
        match |= Q(postcode=postcode_normalise(query))  # typed "b236sn"
    digits = "".join(ch for ch in query if ch.isdigit())
    if by_phone and len(digits) >= 4 and len(digits) >= len(compact) - 2:
        # A number typed nationally (07700 900123) or in part: its digits after the 0.
        match |= Q(phone__contains=digits.removeprefix("0"))
    return match


def register_volunteers(
    *, user: User | None, search: VolunteerSearch, now: datetime | None = None
) -> QuerySet[Volunteer]:
    """The volunteers in the groups of ``user``'s organisations that match ``search``, by name.
    Only those who may see volunteers' numbers (coordinators and campaign managers) search by one."""
    volunteers = _volunteers_scope(user).select_related("local_authority")
    if search.query:
        by_phone = is_superuser(user) or bool(organisation_ids_for(user=user, roles=WRITER_ROLES))
        volunteers = volunteers.filter(_query_filter(search.query, by_phone=by_phone))
    if search.local_authority_id:
        volunteers = volunteers.filter(local_authority_id=search.local_authority_id)
    if search.status:
        volunteers = volunteers.filter(status=search.status)
    if search.dbs:
        levels = [level for level in DBSLevel.values if DBSLevel.rank(level) >= DBSLevel.rank(search.dbs)]
        volunteers = volunteers.filter(dbs_level__in=levels)
    if search.heard:
        volunteers = volunteers.filter(_heard_filter(search.heard, now or timezone.now()))
    if search.skill:
        # A JSON list matched on its text, as the API does (SQLite and PostgreSQL alike); the form
        # offers only the known skills' slugs, so no quote can break it.
        volunteers = volunteers.filter(skills__icontains=f'"{search.skill}"')
    return volunteers.order_by("name", "pk").prefetch_related("memberships__group")


def register_volunteer_for(*, user: User | None, pk: int) -> Volunteer | None:
    """One volunteer in a group of ``user``'s organisations; None for anyone else."""
    return _volunteers_scope(user).prefetch_related("memberships__group").filter(pk=pk).first()


def register_may_change_group(*, user: User | None, group: MutualAidGroup) -> bool:
    """A group is corrected by the coordinators of the organisation that coordinates it."""
    return has_role_in(user=user, organisation_id=group.organisation_id, roles={COORDINATOR})


def register_may_change_volunteer(*, user: User | None, volunteer: Volunteer) -> bool:
    """A volunteer is corrected, paused and resumed by the coordinators of an organisation that
    coordinates one of their groups (memberships prefetched: no query)."""
    if is_superuser(user):
        return True
    coordinating = organisation_ids_for(user=user, roles={COORDINATOR})
    return bool(coordinating & {m.group.organisation_id for m in volunteer.memberships.all()})


def register_totals(*, user: User | None) -> dict[str, int]:
    """What the home page counts of the register, for the same people /groups/ and /volunteers/
    list (so that each figure is the length of the list it links to): groups active and dormant,
    volunteers active. Two queries."""
    groups = _groups_scope(user)
    by_status = dict(
        groups.filter(status__in=[MutualAidGroup.Status.ACTIVE, MutualAidGroup.Status.DORMANT])
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "groups_active": by_status.get(MutualAidGroup.Status.ACTIVE, 0),
        "groups_dormant": by_status.get(MutualAidGroup.Status.DORMANT, 0),
        "volunteers_active": _volunteers_scope(user).filter(status=Volunteer.Status.ACTIVE).count(),
    }
