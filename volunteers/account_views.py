"""A staff member's own page (/account/): their two-factor authentication, turned on, checked
for this session or turned off, by themselves. The work is in core.twofactor; each change is
written to the audit log."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from core.throttling import login_attempt_reserve, login_success_record, throttled_response
from core.twofactor import (
    session_is_verified,
    session_verify,
    totp_check,
    totp_device,
    totp_enrol_confirm,
    totp_enrol_start,
    totp_pending,
    totp_qr_svg,
    totp_remove,
    totp_secret_text,
    two_factor_required,
)
from volunteers.services import audit_record

WRONG_CODE = "That code did not match. Codes change every 30 seconds: try the one your app shows now."


def _signed_in(request: HttpRequest) -> User:
    """The person on the page (every view here requires a sign-in)."""
    return cast(User, request.user)


def _code_step(request: HttpRequest, action: str) -> HttpResponse | None:
    """Run one of the actions that take a code; None when the code was wrong (said on the page)."""
    user = _signed_in(request)
    code = request.POST.get("code", "")
    if action == "confirm" and totp_enrol_confirm(request=request, token=code):
        audit_record(actor=user, action="account.two_factor_on", target=user)
        messages.success(
            request, "Two-factor authentication is on. You will be asked for a code after your password."
        )
    elif action == "verify" and session_verify(request=request, token=code):
        messages.success(request, "Thank you: this session is verified.")
    elif action == "remove" and not two_factor_required(user=user) and totp_check(user=user, token=code):
        totp_remove(user=user)
        audit_record(actor=user, action="account.two_factor_off", target=user)
        messages.success(request, "Two-factor authentication is off.")
    else:
        messages.error(request, WRONG_CODE)
        return None
    login_success_record(request, user.get_username())
    return redirect("account")


@sensitive_post_parameters("code")
@never_cache
@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "start":
            totp_enrol_start(user=user)
            return redirect("account")
        if action in ("confirm", "verify", "remove"):
            seconds = login_attempt_reserve(request, user.get_username())
            if seconds:
                return throttled_response(request, seconds)
            return _code_step(request, action) or redirect("account")
    device = totp_device(user=user)
    pending = None if device else totp_pending(user=user)
    context = {
        "device": device,
        "pending": pending,
        "qr": totp_qr_svg(pending) if pending else "",
        "secret": totp_secret_text(pending) if pending else "",
        "verified": session_is_verified(request),
        "required": two_factor_required(user=user),
        "asked": request.GET.get("required") == "1",
    }
    return render(request, "volunteers/account.html", context)
