import json

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpResponse
from django.template.response import TemplateResponse

from volunteers import privacy
from volunteers.models import (
    AuditEvent,
    GeocodeCache,
    LocalAuthority,
    Membership,
    MutualAidGroup,
    Organisation,
    Postcode,
    StaffRole,
    Volunteer,
)


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "ons_code", "constituent"]
    list_filter = ["constituent"]
    search_fields = ["name", "ons_code"]
    prepopulated_fields = {"slug": ["name"]}


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "covers"]
    list_filter = ["kind", "local_authorities"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["local_authorities"]
    inlines = [StaffRoleInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("local_authorities")

    @admin.display(description="Covers")
    def covers(self, obj: Organisation) -> str:
        return ", ".join(la.name for la in obj.local_authorities.all())


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "created_at"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["volunteer", "group"]


@admin.register(MutualAidGroup)
class MutualAidGroupAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "local_authority",
        "status",
        "active_until",
        "last_verified_at",
        "missed_checks",
    ]
    list_filter = ["status", "kind", "local_authority"]
    search_fields = ["name", "slug", "notes"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "created_at"
    list_select_related = ["local_authority"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "organisation", "status"]}),
        ("Where", {"fields": ["local_authority", "latitude", "longitude", "radius_km"]}),
        ("What it did", {"fields": ["active_from", "active_until", "services", "assets", "notes"]}),
        (
            "Readiness",
            {"fields": ["last_verified_at", "missed_checks", "created_at", "updated_at"]},
        ),
    ]


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "phone",
        "postcode",
        "local_authority",
        "status",
        "dbs_level",
        "has_car",
        "last_active_at",
    ]
    list_filter = ["status", "dbs_level", "has_car", "local_authority", "consent_channel"]
    search_fields = ["name", "phone", "postcode", "email"]
    list_select_related = ["local_authority"]
    actions = ["export_subject_access", "erase"]

    # Data rights: the orchestrator lives at the top layer (operations/data_rights.py) and is
    # reached through volunteers.privacy's hooks; each use is written to the audit log there.
    @admin.action(description="Export subject access (everything held, as JSON)")
    def export_subject_access(self, request, queryset):
        documents = [
            privacy.rights_hook("subject_access")(phone=v.phone, actor=request.user)
            for v in queryset.filter(erased_at__isnull=True)
        ]
        body = documents[0] if len(documents) == 1 else documents
        response = HttpResponse(
            json.dumps(body, indent=2, ensure_ascii=False, default=str), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="subject-access.json"'
        return response

    @admin.action(description="Erase (remove personal data, keep counts, never text again)")
    def erase(self, request, queryset):
        queryset = queryset.filter(erased_at__isnull=True)
        if request.POST.get("confirm") == "erase":
            erase = privacy.rights_hook("erase")
            erased = 0
            for volunteer in queryset:
                try:
                    erase(phone=volunteer.phone, actor=request.user)
                except ValueError as exc:  # the rights' RightsError: nothing of theirs was changed
                    self.message_user(request, f"{volunteer.name} was not erased: {exc}", messages.ERROR)
                else:
                    erased += 1
            self.message_user(request, f"Erased {erased} volunteer(s).", messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/volunteers/volunteer/erase_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": "Erase these volunteers?",
                "volunteers": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    # The status and the unreachable mark are the contact state's (volunteers.contact_state): the
    # person changes them by text or on their own page, erasure by the action above.
    readonly_fields = [
        "status",
        "phone_unreachable_at",
        "created_at",
        "updated_at",
        "consent_at",
        "consent_text",
        "consent_channel",
        "consent_source",
    ]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "phone", "email", "status"]}),
        (
            "Where",
            {"fields": ["postcode", "local_authority", "latitude", "longitude", "max_travel_km"]},
        ),
        (
            "What they offer",
            {"fields": ["skills", "languages", "has_car", "availability", "max_open_assignments"]},
        ),
        ("Safeguarding", {"fields": ["dbs_level", "dbs_expires_on"]}),
        (
            "Consent",
            {
                "fields": [
                    "consent_at",
                    "consent_text",
                    "consent_channel",
                    "consent_source",
                    "phone_unreachable_at",
                ]
            },
        ),
        ("Activity", {"fields": ["last_active_at", "created_at", "updated_at"]}),
    ]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["volunteer", "group", "role", "joined_at"]
    list_filter = ["role"]
    search_fields = ["volunteer__name", "volunteer__phone", "group__name"]
    autocomplete_fields = ["volunteer", "group"]


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin):
    list_display = ["postcode", "district", "latitude", "longitude", "local_authority"]
    search_fields = ["postcode", "district"]
    list_filter = ["local_authority"]


@admin.register(GeocodeCache)
class GeocodeCacheAdmin(admin.ModelAdmin):
    list_display = ["query", "found", "latitude", "longitude", "created_at"]
    search_fields = ["query"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "organisation", "target_type", "target_id"]
    list_filter = ["action", "organisation"]
    search_fields = ["actor__username", "target_id", "action"]
    date_hierarchy = "at"

    # The audit log is evidence: nobody edits or deletes it from the admin.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
