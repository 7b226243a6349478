"""The wire format of the register: groups, volunteers, local authorities. Shapes only; who may
see what is decided in volunteers/permissions.py and passed in through the context."""

from __future__ import annotations

from rest_framework import serializers

from core.api.filters import AreaFilterSerializer
from volunteers.geography import PostcodeError, postcode_district
from volunteers.models import DBSLevel, LocalAuthority, MutualAidGroup, Organisation, Volunteer


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
# Seen by the staff of the volunteer's own organisations (volunteers.permissions): other
# organisations' staff see the name, skills, district and local authority only.
VOLUNTEER_PROFILE_FIELDS = (
    "status",
    "languages",
    "dbs_level",
    "has_car",
    "max_travel_km",
    "groups",
    "last_active_at",
)


class GroupSlugsField(serializers.ListField):
    """The slugs of the groups a volunteer belongs to (from prefetched memberships)."""

    def to_representation(self, data) -> list[str]:
        return [m.group.slug for m in data.all()]


class VolunteerSerializer(serializers.ModelSerializer):
    """Everyone who may list a volunteer sees ``id``, ``name``, ``skills``, ``district`` and
    ``local_authority``. The profile fields (``status``, ``languages``, ``dbs_level``, ``has_car``,
    ``max_travel_km``, ``groups``, ``last_active_at``) are present only for the staff of the
    volunteer's own organisations, and the contact fields (``phone``, ``email``, ``postcode``,
    ``latitude``, ``longitude``, ``availability``) only when the reader may see them
    (``can_see_volunteer_contact``); otherwise they are left out."""

    district = serializers.SerializerMethodField(help_text="The postcode district, e.g. B23.")
    local_authority: serializers.SlugRelatedField[LocalAuthority] = serializers.SlugRelatedField(
        slug_field="name", read_only=True, allow_null=True
    )
    # Declared not read-only so that the schema marks them optional: they are left out for readers
    # who may not see them.
    groups = GroupSlugsField(
        child=serializers.CharField(),
        source="memberships",
        required=False,
        help_text="Slugs of the groups they belong to.",
    )
    status = serializers.ChoiceField(choices=Volunteer.Status.choices, required=False)
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    dbs_level = serializers.ChoiceField(choices=DBSLevel.choices, required=False)
    has_car = serializers.BooleanField(required=False)
    max_travel_km = serializers.FloatField(required=False)
    last_active_at = serializers.DateTimeField(required=False, allow_null=True)
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
        read_only_fields = [f for f in fields if f not in VOLUNTEER_CONTACT_FIELDS + VOLUNTEER_PROFILE_FIELDS]

    def get_district(self, obj: Volunteer) -> str:
        return district_of(obj.postcode)

    def to_representation(self, instance: Volunteer) -> dict:
        data = super().to_representation(instance)
        hidden: tuple[str, ...] = ()
        if instance.id not in self.context.get("contact_visible", set()):
            hidden += VOLUNTEER_CONTACT_FIELDS
        if instance.id not in self.context.get("profile_visible", set()):
            hidden += VOLUNTEER_PROFILE_FIELDS
        for name in hidden:
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
