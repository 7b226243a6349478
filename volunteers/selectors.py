"""Reads of the register. No writes here: see volunteers/services.py."""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet

from volunteers.models import LocalAuthority, MutualAidGroup, Organisation, Postcode, StaffRole, Volunteer
from volunteers.permissions import is_superuser
from volunteers.postcode_files import SHIPPED


def organisations_for_user(
    *, user: AbstractBaseUser | AnonymousUser, roles: set[str] | None = None
) -> QuerySet[Organisation]:
    """The organisations a staff login works for (all of them for a superuser)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if is_superuser(user):
        return Organisation.objects.all()
    staff = StaffRole.objects.filter(user_id=user.pk)
    if roles is not None:
        staff = staff.filter(role__in=roles)
    return Organisation.objects.filter(id__in=staff.values("organisation_id"))


def roles_for_user(*, user: AbstractBaseUser | AnonymousUser) -> list[StaffRole]:
    if not user.is_authenticated:
        return []
    return list(StaffRole.objects.filter(user_id=user.pk).select_related("organisation"))


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
        la: (active, dormant, reactivating)
        for la, active, dormant, reactivating in MutualAidGroup.objects.filter(local_authority__in=areas)
        .values("local_authority")
        .annotate(
            active=Count("id", filter=Q(status=MutualAidGroup.Status.ACTIVE)),
            dormant=Count("id", filter=Q(status=MutualAidGroup.Status.DORMANT)),
            reactivating=Count("id", filter=Q(status=MutualAidGroup.Status.REACTIVATING)),
        )
        .values_list("local_authority", "active", "dormant", "reactivating")
    }
    volunteer_counts = {
        la: (active, total)
        for la, active, total in Volunteer.objects.filter(local_authority__in=areas)
        .values("local_authority")
        .annotate(active=Count("id", filter=Q(status=Volunteer.Status.ACTIVE)), total=Count("id"))
        .values_list("local_authority", "active", "total")
    }
    result = []
    for area in areas:
        groups_active, groups_dormant, groups_reactivating = group_counts.get(area.id, (0, 0, 0))
        volunteers_active, volunteers_total = volunteer_counts.get(area.id, (0, 0))
        result.append(
            AreaCounts(
                local_authority=area,
                groups_active=groups_active,
                groups_dormant=groups_dormant,
                groups_reactivating=groups_reactivating,
                volunteers_active=volunteers_active,
                volunteers_total=volunteers_total,
            )
        )
    return result


def postcodes_shipped_loaded(*, every: int = 1000) -> bool:
    """Whether the shipped West Midlands postcodes are in the table: every ``every``-th one of the
    file and its last one are there (a cheap test, enough to tell a loaded table from an old demo's)."""
    sample: list[str] = []
    last = ""
    with gzip.open(SHIPPED, "rt", encoding="utf-8", newline="") as handle:
        for index, row in enumerate(csv.DictReader(handle)):
            last = row["pcds"]
            if index % every == 0:
                sample.append(last)
    wanted = {*sample, last} - {""}
    return Postcode.objects.filter(postcode__in=wanted).count() == len(wanted)
