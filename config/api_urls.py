"""The REST API's routes; each app contributes its own viewsets as they arrive."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
