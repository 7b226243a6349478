"""The REST API's settings (DRF and drf-spectacular), read by config/settings.py."""

from __future__ import annotations

from config.env import env_int, env_str

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.Schema",
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
    # Anything reachable without a login (the schema, the docs, every 401) is throttled per address.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_ANON_RATE", "60/minute"),
        "user": env_str("API_USER_RATE", "1200/minute"),
    },
    "NUM_PROXIES": env_int("NUM_PROXIES", 0, minimum=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rekindle API",
    "DESCRIPTION": "Mutual-aid groups, volunteers, needs, playbooks and reactivation campaigns.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page's JavaScript is served from here, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set that appears under several field names.
    "ENUM_NAME_OVERRIDES": {
        "DBSLevelEnum": "volunteers.models.DBSLevel",
        "OfferChannelEnum": "needs.models.Offer.Channel",
        "GroupStatusEnum": "volunteers.models.MutualAidGroup.Status",
        "VolunteerStatusEnum": "volunteers.models.Volunteer.Status",
        "NeedStatusEnum": "needs.models.Need.Status",
        "OfferStatusEnum": "needs.models.Offer.Status",
        "CampaignStatusEnum": "reactivation.models.Campaign.Status",
    },
}
