"""/alerts/: how a staff member wants to be told of what needs them, and what they were told."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from operations.alerts import alert_settings_for, alert_settings_update, alerts_recent_for
from operations.models import AlertKind, Channel, Timing
from volunteers.permissions import is_staff_member
from volunteers.phones import InvalidPhone, phone_display, phone_normalise


class AlertSettingsForm(forms.Form):
    phone = forms.CharField(
        label="Mobile number for alerts by text",
        required=False,
        max_length=30,
        help_text="Only for alerts you choose to get by text. Leave it empty for email only.",
    )

    def __init__(self, *args, settings_row, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind in AlertKind:
            for channel in Channel:
                self.fields[f"{kind}__{channel}"] = forms.ChoiceField(
                    label=f"{kind.label}: {channel.label.lower()}",
                    choices=Timing.choices,
                    initial=settings_row.timing(kind, channel),
                )

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        try:
            return phone_normalise(raw)
        except InvalidPhone as exc:
            raise forms.ValidationError(
                f"{exc} Type it as on your phone, for example 07700 900123."
            ) from None

    def clean(self):
        data = super().clean() or {}
        wants_texts = any(data.get(f"{kind}__{Channel.SMS}") not in (None, Timing.OFF) for kind in AlertKind)
        if wants_texts and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", "Give a mobile number to get alerts by text, or choose Never for texts.")
        return data

    def choices(self) -> dict[str, dict[str, str]]:
        return {
            kind: {channel: self.cleaned_data[f"{kind}__{channel}"] for channel in Channel}
            for kind in AlertKind
        }

    def rows(self):
        """(kind label, email field, text field) for the table."""
        return [
            (kind.label, self[f"{kind}__{Channel.EMAIL}"], self[f"{kind}__{Channel.SMS}"])
            for kind in AlertKind
        ]


@login_required
def alert_settings(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(user=request.user):
        raise PermissionDenied("Alerts are for staff who work for an organisation.")
    row = alert_settings_for(user=request.user)
    initial = {"phone": phone_display(row.phone) if row.phone else ""}
    form = AlertSettingsForm(request.POST or None, settings_row=row, initial=initial)
    if request.method == "POST" and form.is_valid():
        alert_settings_update(user=request.user, phone=form.cleaned_data["phone"], choices=form.choices())
        messages.success(request, "Saved. You will be told as you chose.")
        return redirect("alerts")
    context = {
        "form": form,
        "email": getattr(request.user, "email", ""),
        "recent": alerts_recent_for(user=request.user),
        "digest_hour": settings.ALERT_DIGEST_HOUR,
    }
    return render(request, "operations/alerts.html", context)
