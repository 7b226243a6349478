"""The OpenAPI schema: every operation documents the error answers it can give, in the one format."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    # A field named "fields" on the wire. DRF's metaclass takes declared fields out of the class, so
    # this never replaces Serializer.fields; the stubs cannot know that.
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_RESPONSES = {
    "400": "The request is not valid; `error.fields` says what to fix.",
    "401": "No valid token or session.",
    "403": "Your role does not allow this.",
    "404": "Not found, or not yours to see.",
    "405": "This method is not allowed here.",
    "406": "The Accept header asks for a format the API does not speak.",
    "409": "The thing has moved on (already taken, already closed).",
    "415": "The request body is in a format the API does not read.",
    "429": "Too many requests; `Retry-After` says when to try again.",
    "500": "Something went wrong on our side.",
}


class Schema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in ERROR_RESPONSES.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code, direction=direction
                )
        return responses
