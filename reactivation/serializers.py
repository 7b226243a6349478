"""The wire format of playbooks and campaigns. Shapes only: reactivation/services/ decides."""

from __future__ import annotations

from django.contrib.auth.models import User
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reactivation.models import AfterActionReview, Campaign, Playbook, PlaybookVersion
from volunteers.geography import MAX_SEARCH_RADIUS_KM
from volunteers.models import Organisation
from volunteers.serializers import GroupFilterSerializer, GroupSerializer

FRESHNESS_CHOICES = [
    ("fresh", "Confirmed within the readiness-check interval"),
    ("due", "Confirmed, but longer ago than the interval"),
    ("stale", "The organiser missed two checks in a row"),
    ("never", "Never confirmed"),
]


class PlaybookVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlaybookVersion
        fields = [
            "number",
            "steps",
            "roles",
            "templates",
            "targeting",
            "wave_rules",
            "change_note",
            "created_at",
        ]
        read_only_fields = fields


class LessonSerializer(serializers.ModelSerializer):
    campaign: serializers.PrimaryKeyRelatedField[Campaign] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )

    class Meta:
        model = AfterActionReview
        fields = ["campaign", "what_worked", "what_did_not", "change_next_time", "figures", "created_at"]
        read_only_fields = fields


class PlaybookSerializer(serializers.ModelSerializer):
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = Playbook
        fields = ["slug", "title", "crisis_type", "summary", "organisation", "current_version", "updated_at"]
        read_only_fields = fields

    def get_current_version(self, obj: Playbook) -> int | None:
        # Prefetched newest first (see the viewset), so no query per playbook.
        versions = list(obj.versions.all())
        return versions[0].number if versions else None


class PlaybookDetailSerializer(PlaybookSerializer):
    version = serializers.SerializerMethodField(help_text="The current version's content.")
    versions = serializers.SerializerMethodField(help_text="Every version's number, newest first.")
    lessons = LessonSerializer(many=True, read_only=True)

    class Meta(PlaybookSerializer.Meta):
        fields = [*PlaybookSerializer.Meta.fields, "version", "versions", "lessons"]
        read_only_fields = fields

    @extend_schema_field(PlaybookVersionSerializer(allow_null=True))
    def get_version(self, obj: Playbook) -> dict | None:
        versions = list(obj.versions.all())
        return PlaybookVersionSerializer(versions[0]).data if versions else None

    def get_versions(self, obj: Playbook) -> list[int]:
        return [v.number for v in obj.versions.all()]


class StepSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    detail = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    role = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class RoleSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    duties = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PlaybookEditSerializer(serializers.Serializer):
    """A change to a playbook's content. PUT gives every part; PATCH only those that change (the
    rest are kept from the current version). Either way a new version is made when anything
    changed; the versions campaigns ran are never touched."""

    steps = StepSerializer(many=True, help_text="The steps in order.")
    roles = RoleSerializer(many=True)
    templates = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField(max_length=1600, allow_blank=False)),
        help_text='{language: {message: text}}, e.g. {"en": {"volunteer_call": "{sender}: ... Reply STOP to opt out"}}. '
        "Each text names the sender with {sender} and ends with Reply STOP to opt out; English needs volunteer_call.",
    )
    targeting = serializers.DictField(
        help_text='e.g. {"group_kinds": [...], "skills": [...], "radius_km": 3}'
    )
    wave_rules = serializers.DictField(
        help_text="first_wave, growth, max_wave, wait_minutes, max_waves, stop_when_ready: positive numbers."
    )
    change_note = serializers.CharField(
        max_length=300, required=False, help_text="What changed and why; required, shown with the version."
    )
    based_on_version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version this change was written against: when someone saved a newer one since, "
        "the change is refused (409) instead of undoing theirs.",
    )

    def validate(self, attrs):
        if not (attrs.get("change_note") or "").strip():
            raise serializers.ValidationError({"change_note": ["Say in a few words what changed and why."]})
        return attrs


class AreaSerializer(serializers.Serializer):
    """``{"latitude", "longitude", "radius_km"}`` or ``{"local_authorities": [names]}``."""

    latitude = serializers.FloatField(required=False, min_value=49.8, max_value=60.9)
    longitude = serializers.FloatField(required=False, min_value=-8.7, max_value=1.8)
    radius_km = serializers.FloatField(required=False, min_value=0.1, max_value=MAX_SEARCH_RADIUS_KM)
    local_authorities = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, min_length=1, max_length=20
    )

    def validate(self, attrs):
        circle = [name for name in ("latitude", "longitude", "radius_km") if name in attrs]
        if "local_authorities" in attrs:
            if circle:
                raise serializers.ValidationError(
                    "An area is either a circle or local authorities, not both."
                )
            return attrs
        if len(circle) != 3:
            raise serializers.ValidationError(
                'An area is {"latitude", "longitude", "radius_km"} or {"local_authorities": [...]}.'
            )
        return attrs


class CampaignRequestSerializer(serializers.Serializer):
    playbook = serializers.SlugField(help_text="The playbook's slug; its current version runs.")
    area = AreaSerializer()
    dry_run = serializers.BooleanField(
        default=True, help_text="true: report what would happen and write nothing (the default)."
    )
    start = serializers.BooleanField(
        default=True,
        help_text=(
            "With dry_run false: start at once (or ask for approval above the thresholds), which needs "
            "dry_run_plan; false leaves a draft holding its dry run, to start with POST .../start/."
        ),
    )
    dry_run_plan = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=64,
        help_text="The plan_id of the dry run this start follows: a start without one is refused (400).",
    )
    organisation = serializers.SlugField(
        required=False, help_text="The running organisation's slug; needed only when you manage several."
    )
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    language = serializers.RegexField(r"^[a-z]{2,3}$", default="en")
    target_ready = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=100_000
    )
    spend_cap_pence = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=10_000_000
    )


class DryRunSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    report = serializers.JSONField(
        help_text="Who would be contacted (by group and local authority), who is left out and why, "
        "message previews, segments, estimated cost, the first wave and whether approval is needed."
    )


class CampaignSerializer(serializers.ModelSerializer):
    playbook = serializers.CharField(source="playbook_version.playbook.slug", read_only=True)
    playbook_version = serializers.IntegerField(source="playbook_version.number", read_only=True)
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    approved_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "playbook",
            "playbook_version",
            "organisation",
            "area",
            "status",
            "language",
            "target_ready",
            "requires_approval",
            "spend_cap_pence",
            "estimated_cost_pence",
            "spent_pence",
            "current_wave",
            "reach_km",
            "stop_reason",
            "stood_down_at",
            "created_by",
            "approved_by",
            "created_at",
            "approved_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class CampaignDetailSerializer(CampaignSerializer):
    dry_run_report = serializers.JSONField(read_only=True)
    progress = serializers.SerializerMethodField(
        help_text="Totals, per wave and per local authority: queued, sent, delivered, failed, READY, "
        "NOT NOW, opted out, no answer, awaiting, deployed; the percentage of the READY target."
    )

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "dry_run_report", "progress"]
        read_only_fields = fields

    def get_progress(self, obj: Campaign) -> dict:
        return self.context["progress"]


# --- the register's freshness and coverage gaps ---------------------------------------------------


class GroupWithFreshnessSerializer(GroupSerializer):
    """A group as the register shows it, with how fresh its contact is (``register_freshness``):
    ``fresh`` (confirmed within the readiness-check interval), ``due`` (older than that), ``stale``
    (the organiser missed two checks in a row) or ``never`` (never confirmed)."""

    freshness = serializers.SerializerMethodField(help_text="fresh, due, stale or never.")
    days_since_verified = serializers.SerializerMethodField(
        help_text="Whole days since the contact last confirmed; null when never."
    )
    readiness_check_open = serializers.SerializerMethodField(
        help_text="A readiness check has been sent and is waiting for an answer."
    )

    class Meta(GroupSerializer.Meta):
        fields = [*GroupSerializer.Meta.fields, "freshness", "days_since_verified", "readiness_check_open"]
        read_only_fields = fields

    def _row(self, obj):
        # Computed for the whole page at once by the viewset (one query), keyed by group id.
        return self.context["freshness"][obj.pk]

    @extend_schema_field(serializers.ChoiceField(choices=FRESHNESS_CHOICES))
    def get_freshness(self, obj) -> str:
        return self._row(obj).freshness

    def get_days_since_verified(self, obj) -> int | None:
        return self._row(obj).days_since_verified

    def get_readiness_check_open(self, obj) -> bool:
        return self._row(obj).open_check


class GroupFreshnessFilterSerializer(GroupFilterSerializer):
    freshness = serializers.ChoiceField(
        choices=FRESHNESS_CHOICES, required=False, help_text="Only groups whose contact is this fresh."
    )


class CoverageGapFilterSerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)


class SuggestedGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    distance_km = serializers.FloatField()


class CoverageGapSerializer(serializers.Serializer):
    """One place (a cell of about 1.6 km, or a coarser one) where open needs outstrip the active
    volunteers within reach, the largest shortfall first.
    A cell with fewer than COVERAGE_MIN_NEEDS open needs is merged into the coarser cell around it,
    or left out; a place is always a cell's centre, never a need's or a person's point."""

    cell = serializers.IntegerField(help_text="The spatial cell's key at its level (see cell_km).")
    cell_km = serializers.FloatField(help_text="The cell's side: 1.6 km, or coarser where cells were merged.")
    latitude = serializers.FloatField(help_text="The centre of the cell (not of the needs in it).")
    longitude = serializers.FloatField(help_text="The centre of the cell (not of the needs in it).")
    local_authority = serializers.CharField(allow_blank=True)
    district = serializers.CharField(allow_blank=True, help_text="The postcode district nearest the place.")
    name = serializers.CharField(help_text='The place in words: "around B11, Birmingham".')
    open_needs = serializers.IntegerField()
    places = serializers.IntegerField(
        help_text="How many places (200 m cells) the needs are at: needs at one place count once here."
    )
    active_volunteers = serializers.IntegerField(help_text="Active volunteers in the cell and around it.")
    dormant_volunteers = serializers.IntegerField(help_text="Dormant volunteers in the cell.")
    active_groups = serializers.IntegerField(help_text="Groups not dormant whose area covers the place.")
    shortfall = serializers.IntegerField(
        help_text="Open needs beyond the active volunteers within reach; always above zero here."
    )
    dormant_groups = SuggestedGroupSerializer(
        many=True,
        help_text="Dormant groups whose area covers the place, nearest first: the suggested first wave.",
    )
