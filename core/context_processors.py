"""What every page's template may show, whoever is signed in."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def credits(request: HttpRequest) -> dict[str, str]:
    """The credit the postcode data's licence asks for (the Open Government Licence asks that it
    be shown wherever the data is used): every page's footer carries it."""
    return {"postcode_data_attribution": settings.POSTCODE_DATA_ATTRIBUTION}
