"""The REST API's routes (/api/v1/...). Each app contributes its viewsets; anything else under
/api/v1/ answers a 404 in the API's error format (the schema and docs paths are left to
config/urls.py)."""

from django.urls import re_path
from rest_framework.routers import DefaultRouter

from core.api.views import ApiNotFound
from needs.apis import NeedViewSet
from reactivation.apis import (
    CampaignViewSet,
    CoverageGapViewSet,
    GroupWithFreshnessViewSet,
    PlaybookViewSet,
)
from volunteers.apis import LocalAuthorityViewSet, VolunteerViewSet

router = DefaultRouter()
router.register("local-authorities", LocalAuthorityViewSet, basename="local-authority")
# Groups carry their contact's freshness, which reactivation computes (volunteers sits below it).
router.register("groups", GroupWithFreshnessViewSet, basename="group")
router.register("volunteers", VolunteerViewSet, basename="volunteer")
router.register("needs", NeedViewSet, basename="need")
router.register("playbooks", PlaybookViewSet, basename="playbook")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("coverage-gaps", CoverageGapViewSet, basename="coverage-gap")

urlpatterns = [
    *router.urls,
    re_path(r"^(?!schema/|docs/).+$", ApiNotFound.as_view()),
]
