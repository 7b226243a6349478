"""The outbox, inbox and opt-outs in the admin, for finding out what happened to a text.

The admin never shows what a text said: a body can hold a requester's address or a cry for help,
and reading it belongs where it is needed and audited (the inbox, a subject access request). Numbers
are shown with all but their last three digits hidden; searching by a whole number still works.
"""

from django.contrib import admin

from messaging.models import InboundMessage, OptOut, OutboundMessage
from volunteers.phones import phone_mask

OUTBOUND_SHOWN = (
    "recipient",
    "purpose",
    "state",
    "priority",
    "segments",
    "encoding",
    "body_length",
    "attempts",
    "provider_status",
    "error_code",
    "created_at",
    "send_after",
    "claimed_at",
    "sent_at",
    "final_at",
)
INBOUND_SHOWN = (
    "sender",
    "command",
    "outcome",
    "needs_attention",
    "body_length",
    "received_at",
    "handled_at",
    "attempts",
)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "purpose",
        "state",
        "priority",
        "segments",
        "attempts",
        "error_code",
    ]
    list_filter = ["state", "priority", "purpose", "encoding"]
    search_fields = ["=to", "=provider_sid", "dedupe_key"]
    date_hierarchy = "created_at"
    fields = OUTBOUND_SHOWN
    readonly_fields = OUTBOUND_SHOWN

    @admin.display(description="to")
    def recipient(self, obj: OutboundMessage) -> str:
        return phone_mask(obj.to)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "sender", "command", "outcome", "needs_attention", "attempts"]
    list_filter = ["outcome", "needs_attention", "command"]
    search_fields = ["=from_number", "=message_sid"]
    date_hierarchy = "received_at"
    fields = INBOUND_SHOWN
    readonly_fields = ("sender", "body_length", "received_at", "handled_at", "attempts")

    @admin.display(description="from")
    def sender(self, obj: InboundMessage) -> str:
        return phone_mask(obj.from_number)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ["number", "source", "keyword", "created_at"]
    list_filter = ["source"]
    search_fields = ["=phone"]

    def get_fields(self, request, obj=None):
        # A new opt-out is typed in by its number; a stored one shows it masked (or is a key).
        return ["phone" if obj is None else "number", "source", "keyword", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["number"]

    @admin.display(description="phone")
    def number(self, obj: OptOut) -> str:
        return phone_mask(obj.phone)
