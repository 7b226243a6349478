from django.contrib import admin

from reactivation.models import (
    AfterActionReview,
    Campaign,
    CampaignRecipient,
    Playbook,
    PlaybookVersion,
    ReadinessCheck,
)


class PlaybookVersionInline(admin.StackedInline):
    model = PlaybookVersion
    extra = 0
    readonly_fields = ["created_at", "created_by"]


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
