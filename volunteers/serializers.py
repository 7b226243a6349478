"""The wire format of the register: groups, volunteers, local authorities. Shapes only; who may
see what is decided in volunteers/permissions.py and passed in through the context."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.filters import AreaFilterSerializer
from volunteers.geography import PostcodeError, postcode_district
from volunteers.models import LocalAuthority, MutualAidGroup, Organisation, Volunteer


class LocalAuthoritySerializer(serializers.ModelSerializer):
    class Meta:
        model = LocalAuthority
        fields = ["id", "name", "slug", "ons_code", "constituent"]


class GroupSerializer(serializers.ModelSerializer):
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    local_authority: serializers.SlugRelatedField[LocalAuthority] = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )

    class Meta:
        model = MutualAidGroup
        fields = [
            "id",
            "name",
            "slug",
            "kind",
            "status",
            "organisation",
            "local_authority",
            "latitude",
            "longitude",
            "radius_km",
            "services",
            "assets",
            "notes",
            "active_from",
            "active_until",
            "last_verified_at",
            "missed_checks",
        ]
        read_only_fields = fields


class GroupFilterSerializer(AreaFilterSerializer):
    status = serializers.ChoiceField(choices=MutualAidGroup.Status.choices, required=False)
    kind = serializers.ChoiceField(choices=MutualAidGroup.Kind.choices, required=False)
    local_authority = serializers.CharField(
        required=False, help_text="A local authority's name, slug or ONS code."
    )
    organisation = serializers.SlugField(required=False, help_text="An organisation's slug.")


def district_of(postcode: str) -> str:
    try:
        return postcode_district(postcode) if postcode else ""
    except PostcodeError:
        return ""


VOLUNTEER_CONTACT_FIELDS = ("phone", "email", "postcode", "latitude", "longitude", "availability")


class VolunteerSerializer(serializers.ModelSerializer):
    """Everyone who may list a volunteer sees these fields. The contact fields (``phone``,
    ``email``, ``postcode``, ``latitude``, ``longitude``, ``availability``) are present only when
    the reader may see them (``can_see_volunteer_contact``); otherwise they are left out."""

    district = serializers.SerializerMethodField(help_text="The postcode district, e.g. B23.")
    local_authority: serializers.SlugRelatedField[LocalAuthority] = serializers.SlugRelatedField(
        slug_field="name", read_only=True, allow_null=True
    )
    groups = serializers.SerializerMethodField(help_text="Slugs of the groups they belong to.")
    # Declared not read-only so that the schema marks them optional: they are left out for readers
    # who may not see them.
    phone = serializers.CharField(required=False)
    email = serializers.CharField(required=False)
    postcode = serializers.CharField(required=False)
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)
    availability = serializers.JSONField(required=False)

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "name",
            "status",
            "skills",
            "languages",
            "dbs_level",
            "has_car",
            "max_travel_km",
            "district",
            "local_authority",
            "groups",
            "last_active_at",
            "phone",
            "email",
            "postcode",
            "latitude",
            "longitude",
            "availability",
        ]
        read_only_fields = [f for f in fields if f not in VOLUNTEER_CONTACT_FIELDS]

    def get_district(self, obj: Volunteer) -> str:
        return district_of(obj.postcode)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_groups(self, obj: Volunteer) -> list[str]:
        return [m.group.slug for m in obj.memberships.all()]

    def to_representation(self, instance: Volunteer) -> dict:
        data = super().to_representation(instance)
        if instance.id not in self.context.get("contact_visible", set()):
            for name in VOLUNTEER_CONTACT_FIELDS:
                data.pop(name, None)
        return data


class VolunteerFilterSerializer(AreaFilterSerializer):
    status = serializers.ChoiceField(choices=Volunteer.Status.choices, required=False)
    local_authority = serializers.CharField(
        required=False, help_text="A local authority's name, slug or ONS code."
    )
    group = serializers.SlugField(required=False, help_text="A group's slug.")
    skill = serializers.RegexField(r"^[\w-]{1,50}$", required=False)
    language = serializers.RegexField(r"^[A-Za-z-]{1,10}$", required=False)
