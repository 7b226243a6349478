"""Query-string validation for the list endpoints, and the area filter they share."""

from __future__ import annotations

import math

from django.conf import settings
from django.db.models import F, FloatField, Value
from django.db.models.functions import Cast
from rest_framework import serializers


class AreaFilterSerializer(serializers.Serializer):
    """``latitude``, ``longitude`` and ``radius_km`` together: rows within that circle."""

    latitude = serializers.FloatField(required=False, min_value=49.8, max_value=60.9)
    longitude = serializers.FloatField(required=False, min_value=-8.7, max_value=1.8)
    radius_km = serializers.FloatField(required=False, min_value=0.01, max_value=100)

    def validate(self, attrs):
        given = [name for name in ("latitude", "longitude", "radius_km") if name in attrs]
        if given and len(given) != 3:
            raise serializers.ValidationError(
                "An area is latitude, longitude and radius_km together (a centre in the UK and a radius)."
            )
        return attrs


def radius_minimum_check(params: dict) -> None:
    """Refuse (a 400 on ``radius_km``) a search by area smaller than ``PRIVACY_MIN_RADIUS_KM``: call
    it for a reader who may not see the details of every row the list could return."""
    minimum = settings.PRIVACY_MIN_RADIUS_KM
    if "radius_km" in params and params["radius_km"] < minimum:
        raise serializers.ValidationError(
            {
                "radius_km": [
                    f"Search an area of at least {minimum:g} km: your role does not see exact places."
                ]
            }
        )


def within_circle(queryset, *, latitude: float, longitude: float, radius_km: float):
    """Rows of a located model within ``radius_km`` of a point, in SQL on any database.

    A bounding box on the indexed columns, then the equirectangular distance (plain arithmetic,
    so SQLite needs no maths functions); within 0.5% of the great-circle distance at these radii.
    """
    kx = 111.32 * math.cos(math.radians(latitude))
    ky = 110.57
    dlat, dlon = radius_km / ky, radius_km / kx
    dx = (Cast(F("longitude"), FloatField()) - Value(longitude)) * Value(kx)
    dy = (Cast(F("latitude"), FloatField()) - Value(latitude)) * Value(ky)
    return (
        queryset.filter(
            latitude__gte=latitude - dlat,
            latitude__lte=latitude + dlat,
            longitude__gte=longitude - dlon,
            longitude__lte=longitude + dlon,
        )
        .alias(_d2=dx * dx + dy * dy)
        .filter(_d2__lte=radius_km * radius_km)
    )


def query_params_validate(serializer_class, request) -> dict:
    """Validate a list endpoint's query string with a serializer; errors become a 400.

    The query string is read as plain data, not as an HTML form: DRF would quietly treat
    ``?status=`` as "no filter", where a caller who sent it deserves to hear it is not a status.
    A parameter given twice is refused unless the field takes several values.
    """
    fields = serializer_class().fields
    data: dict = {}
    errors: dict = {}
    for name, field in fields.items():
        if name not in request.query_params:
            continue
        values = request.query_params.getlist(name)
        if isinstance(field, serializers.ListField | serializers.MultipleChoiceField):
            data[name] = values
        elif len(values) > 1:
            errors[name] = ["Give this parameter once."]
        else:
            data[name] = values[0]
    if errors:
        raise serializers.ValidationError(errors)
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
