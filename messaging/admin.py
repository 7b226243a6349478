from django.contrib import admin

from messaging.models import InboundMessage, OptOut, OutboundMessage


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "to",
        "purpose",
        "state",
        "priority",
        "segments",
        "attempts",
        "error_code",
    ]
    list_filter = ["state", "priority", "purpose", "encoding"]
    search_fields = ["to", "body", "provider_sid", "dedupe_key"]
    date_hierarchy = "created_at"
    raw_id_fields = ["volunteer"]
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "from_number",
        "body",
        "command",
        "outcome",
        "needs_attention",
        "attempts",
    ]
    list_filter = ["outcome", "needs_attention", "command"]
    search_fields = ["from_number", "body", "message_sid"]
    date_hierarchy = "received_at"
    raw_id_fields = ["volunteer"]
    readonly_fields = [
        "message_sid",
        "from_number",
        "to_number",
        "body",
        "received_at",
        "handled_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ["phone", "source", "keyword", "created_at"]
    list_filter = ["source"]
    search_fields = ["phone"]
