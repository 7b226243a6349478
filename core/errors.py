"""The site's own 403 and 404 pages, with a reason a person can act on.

Django renders templates/403.html and 404.html itself when DEBUG is off. With DEBUG on (make run,
the demo) it shows its yellow technical pages instead, which a coordinator trying the demo should
never meet, so this middleware renders the same plain pages in both modes for ordinary pages.
The API keeps its own JSON errors (DRF answers inside the view).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: the reason given by the check that refused, when it is written for people."""
    reason = str(exception) if exception is not None else ""
    return render(request, "403.html", {"reason": reason}, status=403)


class FriendlyErrorPages:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG:
            # An address no URL pattern knows never reaches a view, so process_exception would not
            # see it; in production Django's handler404 renders the same template.
            try:
                resolve(request.path_info)
            except Resolver404:
                return render(request, "404.html", status=404)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not settings.DEBUG:
            return None  # Django's own handlers render the same templates
        if isinstance(exception, Http404):
            return render(request, "404.html", status=404)
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, exception)
        return None
