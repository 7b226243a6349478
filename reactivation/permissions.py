"""Who may start, change and watch campaigns, written so each rule reads as a sentence (the roles
and organisations they rest on are the register's: volunteers/permissions.py)."""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework.permissions import SAFE_METHODS, BasePermission

from volunteers.geography import haversine_km
from volunteers.models import LocalAuthority, MutualAidGroup, Organisation, StaffRole, Volunteer
from volunteers.permissions import (
    CAMPAIGN_MANAGER,
    WRITER_ROLES,
    User,
    has_role_in,
    is_staff_member,
    is_superuser,
    organisation_ids_for,
)


def local_authorities_in_area(*, area: dict) -> set[int]:
    """The local authorities a campaign over ``area`` would reach.

    ``{"local_authorities": [names]}`` names them (unknown names raise ValidationError, from
    ``local_authorities_resolve``); ``{"latitude", "longitude", "radius_km"}`` reaches the local
    authorities of every group and volunteer inside the circle.
    """
    from volunteers.services import local_authorities_resolve

    if "local_authorities" in area:
        return {la.id for la in local_authorities_resolve(names=area["local_authorities"])}
    lat, lon, radius = float(area["latitude"]), float(area["longitude"]), float(area["radius_km"])
    # A bounding box on the indexed columns first, then the exact distance in Python.
    dlat = radius / 111.0
    dlon = radius / 60.0  # 1 degree of longitude is over 60 km everywhere in the UK
    box = {
        "latitude__gte": lat - dlat,
        "latitude__lte": lat + dlat,
        "longitude__gte": lon - dlon,
        "longitude__lte": lon + dlon,
    }
    found: set[int] = set()
    for model in (MutualAidGroup, Volunteer):
        rows = model.objects.filter(local_authority__isnull=False, **box).values_list(
            "latitude", "longitude", "local_authority_id"
        )
        found.update(
            la
            for la_lat, la_lon, la in rows
            # The box's ranges already leave out rows with no place.
            if la_lat is not None and la_lon is not None and haversine_km(lat, lon, la_lat, la_lon) <= radius
        )
    return found


def can_start_campaign_in(
    *,
    user: User | None,
    organisation: Organisation,
    local_authorities: Iterable[LocalAuthority | int],
) -> bool:
    """A campaign manager (or a superuser) starts campaigns for their organisation only within the
    local authorities that organisation covers. Coordinators and viewers start none."""
    wanted = {la if isinstance(la, int) else la.id for la in local_authorities}
    if is_superuser(user):
        return True
    if not has_role_in(user=user, organisation_id=organisation.id, roles={CAMPAIGN_MANAGER}):
        return False
    covered = set(organisation.local_authorities.values_list("id", flat=True))
    return wanted <= covered


def can_manage_campaign(*, user: User | None, organisation_id: int) -> bool:
    """Pausing, resuming, cancelling and approving a campaign are for the campaign managers and the
    coordinators of the organisation that runs it (a coordinator can stop one that is going wrong);
    starting one stays with campaign managers (``can_start_campaign_in``), and approval must come
    from a second person (the campaign service refuses the creator)."""
    return has_role_in(user=user, organisation_id=organisation_id, roles=WRITER_ROLES)


def can_see_campaign(*, user: User | None, organisation_id: int) -> bool:
    """Anyone who works for the campaign's organisation (viewers included) may watch its progress."""
    return has_role_in(user=user, organisation_id=organisation_id, roles=StaffRole.Role.values)


class CampaignAccess(BasePermission):
    """Everyone in the campaign's organisation watches it; its campaign managers and coordinators
    change it (the services narrow starting to campaign managers)."""

    message = (
        "Only a campaign manager or coordinator of the organisation running this campaign may change it."
    )

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return can_see_campaign(user=request.user, organisation_id=obj.organisation_id)
        return can_manage_campaign(user=request.user, organisation_id=obj.organisation_id)


# --- playbooks ------------------------------------------------------------------------------------


def can_read_playbooks(*, user: User | None) -> bool:
    """Everyone on staff (viewers included) may read every playbook and its lessons: they are the
    region's shared memory."""
    return is_staff_member(user=user)


def can_edit_playbook(*, user: User | None, organisation_id: int | None) -> bool:
    """A campaign manager edits the shared playbooks (those of no organisation) and their own
    organisation's; a superuser edits any. Coordinators and viewers read only."""
    if is_superuser(user):
        return True
    if organisation_id is None:
        return bool(organisation_ids_for(user=user, roles={CAMPAIGN_MANAGER}))
    return has_role_in(user=user, organisation_id=organisation_id, roles={CAMPAIGN_MANAGER})


class PlaybookAccess(BasePermission):
    """Staff read playbooks; only those who may edit one change it (every change a new version)."""

    message = "Only a campaign manager may change a playbook; everyone on staff may read it."

    def has_permission(self, request, view) -> bool:
        return can_read_playbooks(user=request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return can_edit_playbook(user=request.user, organisation_id=obj.organisation_id)
