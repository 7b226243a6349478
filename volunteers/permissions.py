"""Who may do what in the register, written so each rule reads as a sentence.

The rules (each has a test in tests/api/test_permissions.py with named people):

- A staff login works for the organisations where it holds a role (coordinator, campaign manager or
  viewer); a superuser works for all of them.
- A viewer reads only.
- A campaign manager starts campaigns only within the local authorities their organisation covers
  (reactivation/permissions.py).
- A volunteer's contact details (phone, email, exact place) stay within the organisations that
  coordinate a group the volunteer belongs to: the coordinators and campaign managers of such an
  organisation see them, its viewers do not; and the coordinators of an organisation whose need the
  volunteer has accepted see them while that need is open, so they can reach the person who is
  helping. Nobody else does, not even staff whose organisation covers the volunteer's area.
- The rest of a volunteer's profile (their groups, which can reveal a faith; DBS level; languages;
  status; car and travel; last activity) is seen by the staff of an organisation that coordinates
  one of their groups (viewers included), by whoever may see their contact, and by superusers.
  Other organisations' staff, who list the volunteer because they cover the area, see the name,
  skills, postcode district and local authority only (``volunteers_with_visible_profile``). A
  volunteer who belongs to no group is seen in full only by superusers (through the admin) until a
  group takes them in.

Roles are read once per request and cached on the user object (``_rekindle_roles``), so checking
many rows costs one query.

A user is typed as Django's ``AbstractBaseUser`` (what the apps above pass in): it has no
``is_superuser`` unless the model has PermissionsMixin, and lookups go by its primary key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from rest_framework.permissions import SAFE_METHODS, BasePermission

from volunteers.models import (
    Membership,
    MutualAidGroup,
    Organisation,
    StaffRole,
    Volunteer,
)

User = AbstractBaseUser | AnonymousUser

COORDINATOR = StaffRole.Role.COORDINATOR
CAMPAIGN_MANAGER = StaffRole.Role.CAMPAIGN_MANAGER
VIEWER = StaffRole.Role.VIEWER
# Roles allowed to change things; a viewer reads only.
WRITER_ROLES = frozenset({COORDINATOR, CAMPAIGN_MANAGER})


def roles_by_organisation(user: User | None) -> dict[int, str]:
    """``{organisation_id: role}`` for a staff login (one query, then cached on the user)."""
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(user, "_rekindle_roles", None)
    if cached is None:
        cached = dict(StaffRole.objects.filter(user_id=user.pk).values_list("organisation_id", "role"))
        cast(Any, user)._rekindle_roles = cached  # a cache set on the object, not a field of the model
    return cached


def roles_forget(user: User | None) -> None:
    """Drop the cached roles (after a role was granted or removed in the same request or test)."""
    if user is not None and hasattr(user, "_rekindle_roles"):
        del cast(Any, user)._rekindle_roles


def is_superuser(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and getattr(user, "is_superuser", False))


def is_staff_member(*, user: User | None) -> bool:
    """True for anyone who works for at least one organisation (any role), or a superuser."""
    return is_superuser(user) or bool(roles_by_organisation(user))


def has_role_in(*, user: User | None, organisation_id: int | None, roles: Iterable[str]) -> bool:
    """True when the user holds one of ``roles`` in that organisation (superusers hold every role)."""
    if is_superuser(user):
        return True
    if organisation_id is None:
        return False
    return roles_by_organisation(user).get(organisation_id) in set(roles)


def organisation_ids_for(*, user: User | None, roles: Iterable[str] | None = None) -> set[int]:
    """The organisations the user works for, optionally only those where they hold ``roles``.

    For a superuser this is every organisation; callers that filter querysets should test
    ``is_superuser`` first and skip the filter instead of building a huge IN list.
    """
    if is_superuser(user):
        return set(Organisation.objects.values_list("id", flat=True))
    mine = roles_by_organisation(user)
    if roles is None:
        return set(mine)
    wanted = set(roles)
    return {org_id for org_id, role in mine.items() if role in wanted}


def organisation_for(
    *, user: User | None, roles: Iterable[str], slug: str | None = None, doing: str
) -> Organisation:
    """The organisation ``user`` acts for when ``doing`` something that needs one of ``roles``
    ("post a need", "run a campaign"): the one named by ``slug``, which they must hold such a role
    in, or else the only organisation where they hold one. The one place this is decided.

    Raises ValidationError (no such organisation, or several to choose from) or PermissionDenied.
    """
    wanted = set(roles)
    role_words = " or ".join(sorted(str(StaffRole.Role(r).label).lower() for r in wanted))
    if slug:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise ValidationError({"organisation": [f"No organisation {slug!r}."]})
        if not has_role_in(user=user, organisation_id=organisation.id, roles=wanted):
            raise PermissionDenied(f"To {doing} for {organisation.name} needs a {role_words} role there.")
        return organisation
    mine = organisation_ids_for(user=user, roles=wanted)
    if not mine:
        raise PermissionDenied(f"To {doing} needs a {role_words} role.")
    if len(mine) > 1:
        raise ValidationError(
            {"organisation": [f"You can {doing} for several organisations: say which one (its slug)."]}
        )
    return Organisation.objects.get(id=next(iter(mine)))


def can_read_register(*, user: User | None) -> bool:
    """Any staff member (viewers included) may read groups, volunteers' public fields and playbooks."""
    return is_staff_member(user=user)


def can_change_anything(*, user: User | None) -> bool:
    """A viewer reads only: writing needs a coordinator or campaign-manager role somewhere."""
    if is_superuser(user):
        return True
    return any(role in WRITER_ROLES for role in roles_by_organisation(user).values())


# --- volunteers' personal data -------------------------------------------------------------------

# Apps above the register may let an organisation's coordinators see a volunteer's contact (needs:
# the volunteer has accepted one of their open needs, so they must be able to reach the helper).
# They register a grant at start-up (needs/apps.py); the register never imports them.
ContactGrant = Callable[..., set[int]]  # (organisation_ids=..., volunteer_ids=...) -> visible ids
_contact_grants: list[ContactGrant] = []


def contact_grant_register(grant: ContactGrant) -> None:
    if grant not in _contact_grants:
        _contact_grants.append(grant)


def _contact_granted(*, organisation_ids: set[int], volunteer_ids: list[int]) -> set[int]:
    granted: set[int] = set()
    for grant in _contact_grants:
        granted |= grant(organisation_ids=organisation_ids, volunteer_ids=volunteer_ids)
    return granted


def can_see_volunteer_contact(
    *, user: User | None, volunteer: Volunteer, group_organisation_ids: Iterable[int] | None = None
) -> bool:
    """A volunteer's phone, email and exact place are seen by the coordinators and campaign managers
    of an organisation that coordinates a group the volunteer belongs to, by the coordinators of an
    organisation whose open need the volunteer has accepted, and by superusers.

    ``group_organisation_ids``: the organisations of the volunteer's groups when the caller already
    has them (a list endpoint prefetches them, so that checking fifty rows is not fifty queries).
    """
    if is_superuser(user):
        return True
    writers = organisation_ids_for(user=user, roles=WRITER_ROLES)
    if not writers:
        return False
    if group_organisation_ids is None:
        group_organisation_ids = MutualAidGroup.objects.filter(
            memberships__volunteer=volunteer, organisation__isnull=False
        ).values_list("organisation_id", flat=True)
    if writers & set(group_organisation_ids):
        return True
    coordinating = organisation_ids_for(user=user, roles={COORDINATOR})
    if not coordinating:
        return False
    return volunteer.id in _contact_granted(organisation_ids=coordinating, volunteer_ids=[volunteer.id])


# --- DRF permission classes built on the sentences above ----------------------------------------


class IsStaffMember(BasePermission):
    """The API is for people who work for an organisation (any role)."""

    message = "This needs a staff login that works for an organisation."

    def has_permission(self, request, view) -> bool:
        return can_read_register(user=request.user)


class ViewersReadOnly(BasePermission):
    """A viewer reads only: anything but GET, HEAD and OPTIONS needs a coordinator or campaign
    manager role somewhere (the object-level rules then narrow it to the right organisation)."""

    message = "Your role lets you read, not change."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or can_change_anything(user=request.user)


def volunteers_with_visible_contact(*, user: User | None, volunteers: Iterable[Volunteer]) -> set[int]:
    """The ids among ``volunteers`` whose contact details ``user`` may see, by the rule of
    ``can_see_volunteer_contact``, in at most one query when memberships are prefetched
    (``prefetch_related("memberships__group")``): the list endpoints use it for a whole page."""
    volunteers = list(volunteers)
    if is_superuser(user):
        return {v.id for v in volunteers}
    writers = organisation_ids_for(user=user, roles=WRITER_ROLES)
    if not writers:
        return set()
    visible = {v.id for v in volunteers if writers & {m.group.organisation_id for m in v.memberships.all()}}
    coordinating = organisation_ids_for(user=user, roles={COORDINATOR})
    rest = [v.id for v in volunteers if v.id not in visible]
    if coordinating and rest:
        visible |= _contact_granted(organisation_ids=coordinating, volunteer_ids=rest)
    return visible


def volunteers_seen_in_full(*, user: User | None) -> Q | bool:
    """The volunteers whose exact place ``user`` may search by: everyone for a superuser (True);
    else those in a group of an organisation where they coordinate or run campaigns (the contact
    rule's first half: a helper reached through a need is searched by cell like anyone else), or
    nobody (False)."""
    if is_superuser(user):
        return True
    writers = organisation_ids_for(user=user, roles=WRITER_ROLES)
    if not writers:
        return False
    return Q(
        id__in=Membership.objects.filter(group__organisation_id__in=sorted(writers)).values("volunteer_id")
    )


def can_search_volunteers_finely(*, user: User | None) -> bool:
    """Only a superuser sees every volunteer they can list in full, so only they search an area
    smaller than ``PRIVACY_MIN_RADIUS_KM``."""
    return is_superuser(user)


def volunteers_with_visible_profile(
    *, user: User | None, volunteers: Iterable[Volunteer], contact_visible: set[int]
) -> set[int]:
    """The ids among ``volunteers`` whose whole profile ``user`` may see: the staff (any role) of an
    organisation that coordinates one of their groups, and whoever may see their contact
    (``contact_visible``, from ``volunteers_with_visible_contact``). No query when memberships are
    prefetched with their groups."""
    volunteers = list(volunteers)
    if is_superuser(user):
        return {v.id for v in volunteers}
    mine = organisation_ids_for(user=user)
    in_our_groups = {
        v.id for v in volunteers if mine & {m.group.organisation_id for m in v.memberships.all()}
    }
    return in_our_groups | (contact_visible & {v.id for v in volunteers})


def volunteers_visible_to(*, user: User | None):
    """Which volunteers a staff member may list at all (name, skills, district; contact details
    follow the stricter rule above): those in a group of one of their organisations, and those who
    live in a local authority one of their organisations covers. Everyone for a superuser."""
    if is_superuser(user):
        return Volunteer.objects.all()
    org_ids = organisation_ids_for(user=user)
    if not org_ids:
        return Volunteer.objects.none()
    in_our_groups = Membership.objects.filter(group__organisation_id__in=org_ids).values("volunteer_id")
    in_our_areas = Organisation.local_authorities.through.objects.filter(organisation_id__in=org_ids).values(
        "localauthority_id"
    )
    return Volunteer.objects.filter(Q(id__in=in_our_groups) | Q(local_authority_id__in=in_our_areas))
