"""The volunteer's own page, reached by a link from a text (volunteers have no passwords).

The link is checked on every visit (volunteers/links.py): it ends on its own date, and visiting it
neither extends it nor hands out a new one; the page shows the very link used, with its end.
It is in the volunteer's own language, which they may change here.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.i18n import language_pages
from volunteers.forms import VolunteerSettingsForm
from volunteers.links import page_link_find, page_link_url
from volunteers.phones import phone_display
from volunteers.signup import volunteer_settings_update


def _their_language(request: HttpRequest, token: str) -> str | None:
    """The language of the volunteer the link belongs to (None for a link that does not work:
    the visitor's)."""
    link = page_link_find(token=token)
    return link.volunteer.preferred_language if link else None


@never_cache
@language_pages(_their_language)
def volunteer_page(request: HttpRequest, token: str) -> HttpResponse:
    link = page_link_find(token=token)
    if link is None:
        return render(request, "volunteers/link_expired.html", status=404)
    volunteer = link.volunteer
    if request.method == "POST":
        form = VolunteerSettingsForm(request.POST)
        if form.is_valid():
            volunteer_settings_update(
                volunteer=volunteer,
                status=form.cleaned_data["status"],
                availability=form.availability(),
                max_travel_km=form.cleaned_data["max_travel_km"],
                has_car=form.cleaned_data["has_car"],
                preferred_language=form.cleaned_data["preferred_language"] or None,
            )
            # Said in the language they have just chosen.
            translation.activate(volunteer.preferred_language)
            if volunteer.status == volunteer.Status.PAUSED:
                messages.success(request, _("Saved. You are taking a break: we will not ask you to help."))
            else:
                messages.success(
                    request, _("Saved. Thank you: we will text you when someone near you needs help.")
                )
            return redirect(request.path)
    else:
        form = VolunteerSettingsForm(initial=VolunteerSettingsForm.initial_for(volunteer))
    return render(
        request,
        "volunteers/me.html",
        {
            "volunteer": volunteer,
            "form": form,
            "phone": phone_display(volunteer.phone),
            "page_url": page_link_url(request.path),
            "link_expires_at": link.expires_at,
        },
    )
