"""The one error format of the API (see core/api/__init__.py) and the exception handler."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger("core.api")

GENERIC_MESSAGES = {
    status.HTTP_400_BAD_REQUEST: "Some fields are not valid.",
    status.HTTP_500_INTERNAL_SERVER_ERROR: "Something went wrong on our side. It has been logged.",
}


class Conflict(APIException):
    """The request is valid but the thing has moved on (a need already taken, a campaign finished)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "That cannot be done in its current state."
    default_code = "conflict"


# --- the one error format ------------------------------------------------------------------------


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested ``{field: [errors]}`` (lists, dicts, lists of dicts) as ``{"a.b": [...]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for index, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    elif isinstance(detail, list):
        out[prefix or "non_field_errors"] = [str(item) for item in detail]
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def error_body(*, code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def api_exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's handler, then the answer reshaped into the one error format. Anything unexpected is
    logged and answered as a 500 in the same format (never an HTML page to an API client)."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):  # Django answers it with a 400 outside DRF; so do we
        exc = exceptions.ParseError("The request body is too large.")
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in the API", exc_info=exc)
        return Response(
            error_body(code="server_error", message=GENERIC_MESSAGES[500]),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        general = fields.pop("non_field_errors", None)
        message = " ".join(general) if general else GENERIC_MESSAGES[400]
        if general and fields:
            fields["non_field_errors"] = general
        response.data = error_body(code="invalid", message=message, fields=fields)
    elif isinstance(exc, APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = error_body(code=code, message=str(exc.detail))
    return response
