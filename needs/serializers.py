"""The wire format of needs, offers and candidates. Shapes only: the service validates and writes,
needs/permissions.py decides who sees the requester (passed in through the context)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.filters import AreaFilterSerializer
from needs.models import Need, Offer
from volunteers.geography import MAX_SEARCH_RADIUS_KM
from volunteers.models import DBSLevel, LocalAuthority, Organisation
from volunteers.places import place_shown
from volunteers.serializers import district_of

# Left out of every answer unless the reader may see the requester (can_see_requester). The dietary
# and cultural notes can reveal health or faith (special category data): they follow the requester.
REQUESTER_FIELDS = ("requester_name", "requester_phone", "address", "postcode", "details", "dietary_notes")


class NeedCreateSerializer(serializers.Serializer):
    """What a coordinator sends to post a need. ``postcode``, or ``latitude`` and ``longitude``."""

    organisation = serializers.SlugField(
        required=False,
        help_text="The posting organisation's slug; needed only when you coordinate for several.",
    )
    category = serializers.ChoiceField(choices=Need.Category.choices)
    summary = serializers.CharField(
        max_length=200, help_text="Shown to volunteers before they accept: no names, numbers or addresses."
    )
    details = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    requester_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    requester_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=30)
    requester_consents_to_sms = serializers.BooleanField(
        default=False,
        help_text=(
            "The requester agreed to one text when a volunteer is on the way (the volunteer's first name "
            "and when). Stored with the words they agreed to, the time and your login; needs requester_phone."
        ),
    )
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    postcode = serializers.CharField(required=False, allow_blank=True, default="", max_length=10)
    latitude = serializers.FloatField(required=False, allow_null=True, default=None)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None)
    urgency = serializers.ChoiceField(choices=Need.Urgency.choices, default=Need.Urgency.NORMAL)
    requires_dbs = serializers.ChoiceField(choices=DBSLevel.choices, default=DBSLevel.NONE)
    needs_car = serializers.BooleanField(default=False)
    language = serializers.CharField(required=False, allow_blank=True, default="", max_length=10)
    skills = serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        default=list,
        max_length=20,
        help_text="Skill slugs the volunteer must have, every one (e.g. shopping, driving); an unknown one is refused.",
    )
    dietary_notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    window_start = serializers.DateTimeField(required=False, allow_null=True, default=None)
    window_end = serializers.DateTimeField(required=False, allow_null=True, default=None)
    search_radius_km = serializers.FloatField(default=5.0, min_value=0.1, max_value=MAX_SEARCH_RADIUS_KM)

    def validate(self, attrs):
        has_point = attrs.get("latitude") is not None or attrs.get("longitude") is not None
        if not attrs.get("postcode", "").strip() and not has_point:
            raise serializers.ValidationError(
                {"postcode": ["A postcode, or latitude and longitude, is needed."]}
            )
        return attrs


class NeedUpdateSerializer(serializers.Serializer):
    """What a coordinator may change on a need still waiting for a volunteer; send only what changes."""

    summary = serializers.CharField(max_length=200, required=False)
    details = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    address = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    postcode = serializers.CharField(
        required=False, max_length=10, help_text="A new postcode places the need again."
    )
    urgency = serializers.ChoiceField(choices=Need.Urgency.choices, required=False)
    requires_dbs = serializers.ChoiceField(choices=DBSLevel.choices, required=False)
    needs_car = serializers.BooleanField(required=False)
    skills = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=20)
    window_start = serializers.DateTimeField(required=False, allow_null=True)
    window_end = serializers.DateTimeField(required=False, allow_null=True)


class NeedHandOverSerializer(serializers.Serializer):
    organisation = serializers.SlugField(
        help_text="The slug of an organisation whose area covers the need's place."
    )


class VolunteerBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class NeedSerializer(serializers.ModelSerializer):
    """A need as staff of the posting organisation see it. The requester's details (``REQUESTER_FIELDS``)
    appear only for those allowed to see them, and only on a single need, never in a list."""

    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    local_authority: serializers.SlugRelatedField[LocalAuthority] = serializers.SlugRelatedField(
        slug_field="name", read_only=True, allow_null=True
    )
    district = serializers.SerializerMethodField(help_text="The postcode district, e.g. B23.")
    latitude = serializers.SerializerMethodField(
        help_text="The centre of the need's cell (PRIVACY_CELL_KM) unless you may see the address."
    )
    longitude = serializers.SerializerMethodField(
        help_text="The centre of the need's cell (PRIVACY_CELL_KM) unless you may see the address."
    )
    assigned_volunteer = VolunteerBriefSerializer(read_only=True, allow_null=True)
    # Not read-only, so that the schema marks them optional: they are left out for most readers.
    requester_name = serializers.CharField(required=False)
    requester_phone = serializers.CharField(required=False)
    address = serializers.CharField(source="requester_address", required=False)
    postcode = serializers.CharField(required=False)
    details = serializers.CharField(required=False)
    dietary_notes = serializers.CharField(required=False)

    class Meta:
        model = Need
        fields = [
            "id",
            "ref",
            "status",
            "category",
            "summary",
            "urgency",
            "requires_dbs",
            "needs_car",
            "language",
            "skills",
            "district",
            "local_authority",
            "latitude",
            "longitude",
            "search_radius_km",
            "window_start",
            "window_end",
            "organisation",
            "assigned_volunteer",
            "created_at",
            "offered_at",
            "assigned_at",
            "done_at",
            "cancelled_at",
            "expired_at",
            "requester_consents_to_sms",
            *REQUESTER_FIELDS,
        ]
        read_only_fields = [f for f in fields if f not in REQUESTER_FIELDS]

    def _exact(self, obj: Need) -> bool:
        return obj.id in self.context.get("requester_visible", set())

    def get_district(self, obj: Need) -> str:
        return district_of(obj.postcode)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_latitude(self, obj: Need) -> float | None:
        return place_shown(obj.latitude, obj.longitude, exact=self._exact(obj))[0]

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_longitude(self, obj: Need) -> float | None:
        return place_shown(obj.latitude, obj.longitude, exact=self._exact(obj))[1]

    def to_representation(self, instance: Need) -> dict:
        data = super().to_representation(instance)
        if not self._exact(instance):
            for name in REQUESTER_FIELDS:
                data.pop(name, None)
        return data


class NeedFilterSerializer(AreaFilterSerializer):
    status = serializers.MultipleChoiceField(
        choices=Need.Status.choices,
        required=False,
        help_text="One or more, e.g. ?status=open&status=offered.",
    )
    category = serializers.ChoiceField(choices=Need.Category.choices, required=False)
    urgency = serializers.ChoiceField(choices=Need.Urgency.choices, required=False)
    local_authority = serializers.CharField(
        required=False, help_text="A local authority's name, slug or ONS code."
    )
    organisation = serializers.SlugField(required=False, help_text="An organisation's slug.")


class OfferSerializer(serializers.ModelSerializer):
    volunteer = VolunteerBriefSerializer(read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "volunteer",
            "rank",
            "distance_km",
            "status",
            "channel",
            "response_channel",
            "offered_at",
            "expires_at",
            "responded_at",
            "completed_at",
            "explanation",
        ]
        read_only_fields = fields


class OfferRequestSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        min_value=1, max_value=10, required=False, help_text="Offer to the best n (default 3; never a crowd)."
    )


class OffersMadeSerializer(serializers.Serializer):
    made = serializers.IntegerField(help_text="How many new offers were sent.")
    message = serializers.CharField()
    offers = OfferSerializer(many=True)


class CandidateSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    volunteer = VolunteerBriefSerializer()
    distance_km = serializers.FloatField()
    recent_tasks = serializers.IntegerField(
        help_text="Tasks in the last 30 days (fewer ranks higher among near-equals)."
    )
    reliability = serializers.FloatField(
        help_text="Past accepts and completions, 0 to 1 (0.5 for newcomers)."
    )
    why = serializers.ListField(child=serializers.CharField(), help_text="Why they rank where they do.")
    explanation = serializers.JSONField()


class CandidatesSerializer(serializers.Serializer):
    searched_km = serializers.FloatField(
        help_text="Every eligible volunteer within this distance was considered."
    )
    excluded = serializers.DictField(
        child=serializers.IntegerField(), help_text="Volunteers near enough but left out, counted by reason."
    )
    candidates = CandidateSerializer(many=True)


class CandidatesQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)


class NeedCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
