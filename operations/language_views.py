"""/languages/: how far each language's translation is, for staff (any signed-in staff member).

Per language: how many of the volunteers' strings are translated and how many a native speaker
has reviewed, and which are not reviewed yet, each with its English beside it. The files are the
truth (locale/<code>/LC_MESSAGES/django.po, read by core.translations); README.md "Languages" says
how to review one.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.languages import DEFAULT, SPOKEN
from core.translations import catalogue_status, po_path
from volunteers.permissions import is_staff_member


def languages_status() -> list[dict]:
    """One row per language other than English, in the service's order."""
    locale_dir = settings.LOCALE_PATHS[0]
    rows = []
    for lang in SPOKEN:
        if lang.code == DEFAULT:
            continue
        status = catalogue_status(po_path(locale_dir, lang.code), code=lang.code)
        rows.append({"language": lang, "status": status})
    return rows


@login_required
def languages_page(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(user=request.user):
        raise PermissionDenied("The translations page is for staff of an organisation.")
    return render(request, "operations/languages.html", {"rows": languages_status()})
