"""Reads of the register. No writes here: see volunteers/services.py."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet

from volunteers.models import LocalAuthority, MutualAidGroup, Organisation, StaffRole, Volunteer


def organisations_for_user(
    *, user: AbstractBaseUser | AnonymousUser, roles: set[str] | None = None
) -> QuerySet[Organisation]:
    """The organisations a staff login works for (all of them for a superuser)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    staff = StaffRole.objects.filter(user=user)
    if roles is not None:
        staff = staff.filter(role__in=roles)
    return Organisation.objects.filter(id__in=staff.values("organisation_id"))


def roles_for_user(*, user: AbstractBaseUser | AnonymousUser) -> list[StaffRole]:
    if not user.is_authenticated:
        return []
    return list(StaffRole.objects.filter(user=user).select_related("organisation"))


@dataclass(frozen=True)
class AreaCounts:
    local_authority: LocalAuthority
    groups_active: int
    groups_dormant: int
    groups_reactivating: int
    volunteers_active: int
    volunteers_total: int


def register_counts_by_local_authority(*, constituent_only: bool = True) -> list[AreaCounts]:
    """Groups and volunteers per local authority, in two queries whatever the number of areas."""
    areas = LocalAuthority.objects.all()
    if constituent_only:
        areas = areas.filter(constituent=True)
    group_counts = {
        row["local_authority"]: row
        for row in MutualAidGroup.objects.filter(local_authority__in=areas)
        .values("local_authority")
        .annotate(
            active=Count("id", filter=Q(status=MutualAidGroup.Status.ACTIVE)),
            dormant=Count("id", filter=Q(status=MutualAidGroup.Status.DORMANT)),
            reactivating=Count("id", filter=Q(status=MutualAidGroup.Status.REACTIVATING)),
        )
    }
    volunteer_counts = {
        row["local_authority"]: row
        for row in Volunteer.objects.filter(local_authority__in=areas)
        .values("local_authority")
        .annotate(active=Count("id", filter=Q(status=Volunteer.Status.ACTIVE)), total=Count("id"))
    }
    result = []
    for area in areas:
        g = group_counts.get(area.id, {})
        v = volunteer_counts.get(area.id, {})
        result.append(
            AreaCounts(
                local_authority=area,
                groups_active=g.get("active", 0),
                groups_dormant=g.get("dormant", 0),
                groups_reactivating=g.get("reactivating", 0),
                volunteers_active=v.get("active", 0),
                volunteers_total=v.get("total", 0),
            )
        )
    return result
