"""The register in the API: local authorities, groups and volunteers (read only; the register is
written by imports, sign-up and the admin). Views are thin: validate the query, select, shape."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from core.api.filters import query_params_validate, radius_minimum_check, within_circle
from core.api.views import ApiViewMixin
from volunteers.models import LocalAuthority, Membership, MutualAidGroup
from volunteers.permissions import (
    IsStaffMember,
    can_search_volunteers_finely,
    volunteers_seen_in_full,
    volunteers_visible_to,
    volunteers_with_visible_contact,
    volunteers_with_visible_profile,
)
from volunteers.places import within_circle_for_reader
from volunteers.serializers import (
    GroupFilterSerializer,
    GroupSerializer,
    LocalAuthoritySerializer,
    VolunteerFilterSerializer,
    VolunteerSerializer,
)
from volunteers.services import audit_record, local_authorities_resolve


def local_authority_id(name: str) -> int:
    """A local authority's id from its name, slug or ONS code; a 400 naming the known ones if not."""
    try:
        return local_authorities_resolve(names=[name])[0].id
    except DjangoValidationError as exc:
        raise serializers.ValidationError({"local_authority": exc.messages}) from None


def area_apply(queryset, params: dict, *, exact: Q | bool = True):
    """The list's area filter; ``exact`` as in ``volunteers.places.within_circle_for_reader``
    (groups are not people: their places are searched and shown as they are)."""
    if "radius_km" not in params:
        return queryset
    if exact is True:
        return within_circle(
            queryset,
            latitude=params["latitude"],
            longitude=params["longitude"],
            radius_km=params["radius_km"],
        )
    return within_circle_for_reader(
        queryset,
        latitude=params["latitude"],
        longitude=params["longitude"],
        radius_km=params["radius_km"],
        exact=exact,
    )


@extend_schema_view(list=extend_schema(summary="The local authorities the region is made of"))
class LocalAuthorityViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsStaffMember]
    serializer_class = LocalAuthoritySerializer
    queryset = LocalAuthority.objects.all()
    pagination_class = None


@extend_schema_view(
    list=extend_schema(
        summary="Mutual-aid groups, active and dormant, across the region",
        parameters=[GroupFilterSerializer],
    ),
    retrieve=extend_schema(summary="One group"),
)
class GroupViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Every staff member sees the whole region's groups: a group's place, services and status are
    not personal data, and a campaign manager needs them to plan a reactivation."""

    permission_classes = [IsStaffMember]
    serializer_class = GroupSerializer

    def get_queryset(self):
        queryset = MutualAidGroup.objects.select_related("organisation", "local_authority").order_by(
            "name", "id"
        )
        if self.action != "list":
            return queryset
        params = query_params_validate(GroupFilterSerializer, self.request)
        if "status" in params:
            queryset = queryset.filter(status=params["status"])
        if "kind" in params:
            queryset = queryset.filter(kind=params["kind"])
        if "local_authority" in params:
            queryset = queryset.filter(local_authority_id=local_authority_id(params["local_authority"]))
        if "organisation" in params:
            queryset = queryset.filter(organisation__slug=params["organisation"])
        return area_apply(queryset, params)


@extend_schema_view(
    list=extend_schema(
        summary="Volunteers in your organisations' groups and areas",
        description=(
            "Listed: volunteers in a group of one of your organisations, or living in an area one "
            "of them covers. Contact fields (phone, email, postcode, exact place, availability) "
            "appear only for volunteers in a group your organisation coordinates (coordinators and "
            "campaign managers, not viewers), or who accepted one of your organisation's needs. "
            "Profile fields (status, languages, DBS level, car, travel, groups, last activity) appear "
            "only for volunteers in a group your organisation coordinates, or whose contact you see; "
            "for the others you see the name, skills, postcode district and local authority. "
            "A search by area must be at least PRIVACY_MIN_RADIUS_KM wide, and matches volunteers "
            "whose place you may not see by the centre of their cell, never by their point."
        ),
        parameters=[VolunteerFilterSerializer],
    ),
    retrieve=extend_schema(summary="One volunteer"),
)
class VolunteerViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsStaffMember]
    serializer_class = VolunteerSerializer

    def get_queryset(self):
        queryset = (
            volunteers_visible_to(user=self.request.user)
            .select_related("local_authority")
            .prefetch_related(
                Prefetch("memberships", queryset=Membership.objects.select_related("group").order_by("id"))
            )
            .order_by("name", "id")
        )
        if self.action != "list":
            return queryset
        params = query_params_validate(VolunteerFilterSerializer, self.request)
        if not can_search_volunteers_finely(user=self.request.user):
            radius_minimum_check(params)
        if "status" in params:
            queryset = queryset.filter(status=params["status"])
        if "local_authority" in params:
            queryset = queryset.filter(local_authority_id=local_authority_id(params["local_authority"]))
        if "group" in params:
            queryset = queryset.filter(
                id__in=Membership.objects.filter(group__slug=params["group"]).values("volunteer_id")
            )
        # JSON lists are matched on their text, which works on SQLite and PostgreSQL alike; the
        # filter serializer allows only letters, digits, '-' and '_' so no quote can break it.
        if "skill" in params:
            queryset = queryset.filter(skills__icontains=f'"{params["skill"]}"')
        if "language" in params:
            queryset = queryset.filter(languages__icontains=f'"{params["language"]}"')
        return area_apply(queryset, params, exact=volunteers_seen_in_full(user=self.request.user))

    def get_serializer(self, *args, **kwargs):
        if args:
            rows = args[0] if kwargs.get("many") else [args[0]]
            visible = volunteers_with_visible_contact(user=self.request.user, volunteers=rows)
            context = kwargs.setdefault("context", self.get_serializer_context())
            context["contact_visible"] = visible
            context["profile_visible"] = volunteers_with_visible_profile(
                user=self.request.user, volunteers=rows, contact_visible=visible
            )
            if visible:
                # One line per answer, naming every volunteer whose contact details it carried.
                audit_record(
                    actor=self.request.user,
                    action="volunteer.contact.read",
                    detail={"volunteer_ids": sorted(visible), "path": self.request.path},
                )
        return super().get_serializer(*args, **kwargs)
