from django.contrib import admin

from voice.models import OutboundCall


@admin.register(OutboundCall)
class OutboundCallAdmin(admin.ModelAdmin):
    """Read-only: a call's row is written by the outbox and Twilio's reports, never by hand."""

    list_display = ["created_at", "purpose", "state", "attempts", "answered_by", "keys", "outcome"]
    list_filter = ["state", "purpose"]
    search_fields = ["provider_sid", "dedupe_key"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
