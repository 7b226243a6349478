from django.contrib import admin

from reactivation.models import (
    AfterActionReview,
    Campaign,
    CampaignRecipient,
    Playbook,
    PlaybookVersion,
    ReadinessCheck,
)

VERSION_FIELDS: tuple[str, ...] = (
    "number",
    "change_note",
    "steps",
    "roles",
    "templates",
    "targeting",
    "wave_rules",
    "created_by",
    "created_at",
)


class PlaybookVersionInline(admin.StackedInline):
    """Versions are shown, never changed, added or deleted here: a version a campaign ran is the
    record of what it sent. A change is made in the playbook editor, which adds a new version."""

    model = PlaybookVersion
    extra = 0
    fields = VERSION_FIELDS
    readonly_fields = VERSION_FIELDS
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PlaybookVersion)
class PlaybookVersionAdmin(admin.ModelAdmin):
    """Read only, for the same reason as the inline: edit a playbook in its editor."""

    list_display = ["playbook", "number", "change_note", "created_by", "created_at"]
    list_filter = ["playbook"]
    list_select_related = ["playbook", "created_by"]
    fields = ("playbook", *VERSION_FIELDS)
    readonly_fields = ("playbook", *VERSION_FIELDS)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AfterActionReviewInline(admin.StackedInline):
    model = AfterActionReview
    extra = 0
    readonly_fields = ["figures", "created_at", "written_by", "campaign"]


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    list_display = ["title", "crisis_type", "organisation", "updated_at"]
    list_filter = ["crisis_type"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PlaybookVersionInline, AfterActionReviewInline]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organisation",
        "status",
        "current_wave",
        "spent_pence",
        "spend_cap_pence",
        "created_at",
    ]
    list_filter = ["status", "organisation"]
    search_fields = ["name"]
    date_hierarchy = "created_at"
    raw_id_fields = ["playbook_version", "created_by", "approved_by"]
    list_select_related = ["organisation"]


@admin.register(CampaignRecipient)
class CampaignRecipientAdmin(admin.ModelAdmin):
    list_display = [
        "campaign",
        "volunteer",
        "wave",
        "state",
        "reason",
        "messaged_at",
        "responded_at",
    ]
    list_filter = ["state", "wave"]
    search_fields = ["volunteer__name", "volunteer__phone", "campaign__name"]
    raw_id_fields = ["campaign", "volunteer", "group", "message"]


@admin.register(ReadinessCheck)
class ReadinessCheckAdmin(admin.ModelAdmin):
    list_display = ["group", "contact", "sent_at", "answer", "answered_at"]
    list_filter = ["answer"]
    search_fields = ["group__name", "contact__name"]
    raw_id_fields = ["group", "contact", "message"]


@admin.register(AfterActionReview)
class AfterActionReviewAdmin(admin.ModelAdmin):
    list_display = ["playbook", "campaign", "written_by", "created_at"]
    search_fields = ["playbook__title", "what_worked", "what_did_not"]
