from django.contrib import admin

from needs.models import Need, Offer
from needs.permissions import requester_read_record

# A tuple: the stubs give fields and readonly_fields different list types; a tuple fits both.
OFFER_INLINE_FIELDS = (
    "rank",
    "volunteer",
    "distance_km",
    "status",
    "channel",
    "offered_at",
    "expires_at",
    "responded_at",
)


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0
    fields = OFFER_INLINE_FIELDS
    readonly_fields = OFFER_INLINE_FIELDS
    can_delete = False
    show_change_link = True


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = [
        "ref",
        "category",
        "summary",
        "urgency",
        "status",
        "organisation",
        "local_authority",
        "created_at",
    ]
    list_filter = [
        "status",
        "urgency",
        "category",
        "requires_dbs",
        "needs_car",
        "organisation",
        "local_authority",
    ]
    search_fields = ["ref", "summary", "postcode"]
    date_hierarchy = "created_at"
    list_select_related = ["organisation", "local_authority"]
    autocomplete_fields = ["organisation", "assigned_volunteer"]
    readonly_fields = [
        "created_at",
        "offered_at",
        "assigned_at",
        "done_at",
        "cancelled_at",
        "expired_at",
        "requester_erased_at",
    ]
    inlines = [OfferInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The change page shows the requester's details: each time it does, that is a read, and
        it goes in the audit log like any other (needs.permissions.requester_read_record)."""
        response = super().change_view(request, object_id, form_url, extra_context)
        need = Need.objects.select_related("organisation").filter(pk=object_id).first()
        if response.status_code == 200 and need is not None and need.requester_erased_at is None:
            requester_read_record(need=need, user=request.user, via="admin")
        return response

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "ref",
                    "category",
                    "summary",
                    "urgency",
                    "status",
                    "organisation",
                    "posted_by",
                ]
            },
        ),
        (
            "Requester (private: every view of this page is in the audit log)",
            {
                "fields": [
                    "requester_name",
                    "requester_phone",
                    "requester_address",
                    "details",
                    "dietary_notes",
                ]
            },
        ),
        (
            "Where and when",
            {
                "fields": [
                    "postcode",
                    "local_authority",
                    "latitude",
                    "longitude",
                    "search_radius_km",
                    "window_start",
                    "window_end",
                ]
            },
        ),
        (
            "Who can help",
            {
                "fields": [
                    "requires_dbs",
                    "needs_car",
                    "language",
                    "assigned_volunteer",
                ]
            },
        ),
        (
            "History",
            {
                "fields": [
                    "created_at",
                    "offered_at",
                    "assigned_at",
                    "done_at",
                    "cancelled_at",
                    "expired_at",
                    "requester_erased_at",
                ]
            },
        ),
    ]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = [
        "need",
        "volunteer",
        "rank",
        "distance_km",
        "status",
        "channel",
        "offered_at",
        "expires_at",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["need__ref", "volunteer__name", "volunteer__phone"]
    list_select_related = ["need", "volunteer"]
    raw_id_fields = ["need", "volunteer"]
