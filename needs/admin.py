from django.contrib import admin

from needs.models import Need, Offer

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
            "Requester (private)",
            {"fields": ["requester_name", "requester_phone", "requester_address", "details"]},
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
                    "dietary_notes",
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
