"""The volunteer's own page, reached by a signed, expiring link (volunteers have no passwords)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from volunteers.forms import VolunteerSettingsForm
from volunteers.phones import phone_display
from volunteers.signup import (
    PAGE_LINK_MAX_AGE,
    volunteer_from_token,
    volunteer_page_url,
    volunteer_settings_update,
)


@never_cache
def volunteer_page(request: HttpRequest, token: str) -> HttpResponse:
    volunteer = volunteer_from_token(token)
    if volunteer is None:
        return render(request, "volunteers/link_expired.html", status=404)
    if request.method == "POST":
        form = VolunteerSettingsForm(request.POST)
        if form.is_valid():
            volunteer_settings_update(
                volunteer=volunteer,
                status=form.cleaned_data["status"],
                availability=form.availability(),
                max_travel_km=form.cleaned_data["max_travel_km"],
                has_car=form.cleaned_data["has_car"],
            )
            if volunteer.status == volunteer.Status.PAUSED:
                messages.success(request, "Saved. You are taking a break: we will not ask you to help.")
            else:
                messages.success(
                    request, "Saved. Thank you: we will text you when someone near you needs help."
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
            # A fresh link, so the one they keep lasts the full time from today.
            "page_url": volunteer_page_url(volunteer),
            "link_days": PAGE_LINK_MAX_AGE.days,
        },
    )
