"""What every API view shares: throttling before authentication, and the 404 for unknown paths."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

if TYPE_CHECKING:
    _ViewBase = APIView  # what the mixin is always mixed into: its super() is an APIView's
else:
    _ViewBase = object


class ApiViewMixin(_ViewBase):
    """Throttle before deciding who the caller is, so that requests without a login (no token, or a
    wrong one) are counted too. DRF's own order is authenticate, check permissions, then throttle:
    a stranger guessing tokens would get an endless stream of 401s and never meet the throttle.
    """

    def perform_authentication(self, request):
        try:
            request.user  # noqa: B018 (authenticates)
        except exceptions.AuthenticationFailed:
            # The request is now anonymous; count it against the anonymous rate before refusing.
            self.check_throttles(request)
            raise

    def check_permissions(self, request):
        self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request):
        if getattr(request, "_rekindle_throttled", False):
            return
        request._rekindle_throttled = True
        super().check_throttles(request)


class ApiNotFound(ApiViewMixin, APIView):
    """Any other path under /api/v1/: a 404 in the API's format, not Django's HTML page."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound("There is nothing at this address. The API's map is at /api/v1/docs/.")
