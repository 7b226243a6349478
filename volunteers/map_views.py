"""The maps' base layer as JSON: council outlines, their names and the postcode districts, drawn
from the postcode table so that every map is readable with no tile server (static/rekindle-map.js)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from volunteers.map_layer import map_base_layer
from volunteers.permissions import is_staff_member


@require_GET
def map_base_layer_json(request: HttpRequest) -> JsonResponse:
    # Places and counts only, no personal data; still for staff, whose pages are the ones with maps.
    if not is_staff_member(user=request.user):
        return JsonResponse({"detail": "The maps are for staff: sign in first."}, status=403)
    response = JsonResponse(map_base_layer())
    patch_cache_control(response, private=True, max_age=600)
    return response
