"""Who may see and change a need, written so each rule reads as a sentence.

- Anyone who works for the posting organisation (viewers included) sees the need: its category,
  summary, approximate place, window and progress.
- A coordinator manages the needs of their own organisations only: posts, offers, cancels, marks done.
- A viewer reads only.
- A requester's name, phone and address, the private details, the dietary and cultural notes (which
  can reveal health or faith), the full postcode and the exact place are seen only by the
  coordinators of the posting organisation and by the volunteer who accepted (while the need is
  assigned or just done), and by nobody once they have been erased. The API and the pages leave
  them out for everyone else, lists leave them out for everyone, and every read of them is written
  to the audit log (``requester_read_record``).
- Everyone else sees a need's place as the centre of its cell (``volunteers.places``), and searches
  by area no smaller than ``PRIVACY_MIN_RADIUS_KM``, matched by cell (``needs_seen_in_full``).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q
from rest_framework.permissions import SAFE_METHODS, BasePermission

from needs.models import Need
from volunteers.models import Organisation, StaffRole, Volunteer
from volunteers.permissions import (
    COORDINATOR,
    has_role_in,
    is_superuser,
    organisation_ids_for,
    roles_by_organisation,
)
from volunteers.services import audit_record

User = AbstractBaseUser | AnonymousUser

REQUESTER_READ = "need.requester.read"


def can_see_need(*, user: User | None, need: Need) -> bool:
    """Everyone who works for the posting organisation, whatever their role."""
    return has_role_in(user=user, organisation_id=need.organisation_id, roles=StaffRole.Role.values)


def can_post_need_for(*, user: User | None, organisation: Organisation | int) -> bool:
    """A coordinator posts needs for their own organisations only."""
    org_id = organisation if isinstance(organisation, int) else organisation.id
    return has_role_in(user=user, organisation_id=org_id, roles={COORDINATOR})


def can_manage_need(*, user: User | None, need: Need) -> bool:
    """A coordinator manages (offers, cancels, marks done) the needs of their own organisations only."""
    return has_role_in(user=user, organisation_id=need.organisation_id, roles={COORDINATOR})


def organisations_user_can_post_for(*, user: User | None) -> set[int]:
    return organisation_ids_for(user=user, roles={COORDINATOR})


def can_see_requester(*, need: Need, user: User | None = None, volunteer: Volunteer | None = None) -> bool:
    """The requester's name, phone and address: coordinators of the posting organisation, and the
    volunteer who accepted while the need is assigned or done; nobody after erasure.

    Pass ``user`` for a staff login, ``volunteer`` for a volunteer reached by their offer link.
    Superusers count as coordinators of every organisation.
    """
    if need.requester_erased_at is not None:
        return False
    if volunteer is not None and need.assigned_volunteer_id == volunteer.id:
        return need.status in (Need.Status.ASSIGNED, Need.Status.DONE)
    if user is not None:
        return can_manage_need(user=user, need=need)
    return False


def needs_seen_in_full(*, user: User | None) -> Q | bool:
    """The needs whose exact place ``user`` may search by: True for every need (a superuser), else
    those of the organisations where they coordinate, or False for none."""
    if is_superuser(user):
        return True
    coordinating = organisation_ids_for(user=user, roles={COORDINATOR})
    return Q(organisation_id__in=sorted(coordinating)) if coordinating else False


def can_search_needs_finely(*, user: User | None) -> bool:
    """Only someone who may see the details of every need they can list searches an area smaller
    than ``PRIVACY_MIN_RADIUS_KM``: a superuser, or staff who coordinate wherever they work."""
    if is_superuser(user):
        return True
    roles = roles_by_organisation(user)
    return bool(roles) and all(role == COORDINATOR for role in roles.values())


def acting_user(user: User | None) -> AbstractBaseUser | None:
    """Who the audit log names for an action: the signed-in user, else nobody (an anonymous
    request, a volunteer's text or link, the system)."""
    return user if user is not None and user.is_authenticated else None


def requester_read_record(
    *, need: Need, user: User | None = None, volunteer: Volunteer | None = None, via: str = ""
) -> None:
    """Write the audit line for one read of a requester's personal data. Call it every time the
    name, phone or address is shown to someone (page, API or ``via="admin"``), after
    ``can_see_requester`` (the admin: a superuser)."""
    detail: dict = {"ref": need.ref}
    if volunteer is not None:
        detail["volunteer_id"] = volunteer.id
    if via:
        detail["via"] = via
    audit_record(
        actor=user if user is not None and user.is_authenticated else None,
        action=REQUESTER_READ,
        target=need,
        organisation=need.organisation,
        detail=detail,
    )


class NeedAccess(BasePermission):
    """Reading a need: anyone in the posting organisation. Changing it: its coordinators only."""

    message = "Only a coordinator of the organisation that posted this need may change it."

    def has_object_permission(self, request, view, obj: Need) -> bool:
        if request.method in SAFE_METHODS:
            return can_see_need(user=request.user, need=obj)
        return can_manage_need(user=request.user, need=obj)


def volunteers_helping(*, organisation_ids: set[int], volunteer_ids: list[int]) -> set[int]:
    """Of ``volunteer_ids``, those who have accepted an open need of one of ``organisation_ids``:
    its coordinators may see their contact details (registered with the register's contact rule)."""
    return set(
        Need.objects.filter(
            assigned_volunteer_id__in=volunteer_ids,
            organisation_id__in=organisation_ids,
            status=Need.Status.ASSIGNED,
        ).values_list("assigned_volunteer_id", flat=True)
    )
