"""Staff sign-in at /login/ and at /admin/login/: one view, one throttle, one code step.

The password is checked by Django's LoginView (throttled: core.throttling). For a person with
two-factor on, a right password does not sign in yet: the session remembers who is half-way (for
five minutes) and the code page asks for the code from their app, counted by the same throttle.
Only then is the person signed in, with the session marked verified for django-otp.
"""

from __future__ import annotations

import time
from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth import login as auth_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from core.throttling import (
    ThrottledLoginView,
    login_attempt_reserve,
    login_success_record,
    throttled_response,
)
from core.twofactor import totp_check, totp_device, two_factor_satisfied

PENDING = "rekindle_signin_pending"
PENDING_SECONDS = 300


class SignInView(ThrottledLoginView):
    """The password step. With two-factor on, a right password leads to the code step instead of
    signing in (and forgives nothing yet: the throttle's counts stand until the code is right)."""

    def form_valid(self, form):
        user = form.get_user()
        if totp_device(user=user) is None:
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("login-code")


def _pending_user(request: HttpRequest) -> tuple[Any, dict[str, Any]] | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending) if user is not None else None


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The code step: the six digits from the person's authenticator app."""
    found = _pending_user(request)
    if found is None:
        request.session.pop(PENDING, None)
        messages.info(request, "Please sign in again: the code must follow the password within five minutes.")
        return redirect("login")
    user, pending = found
    wrong = False
    if request.method == "POST":
        seconds = login_attempt_reserve(request, user.get_username())
        if seconds:
            return throttled_response(request, seconds)
        device = totp_check(user=user, token=request.POST.get("code", ""))
        if device is not None:
            del request.session[PENDING]
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            login_success_record(request, user.get_username())
            target = pending.get("next") or "/"
            safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
            return HttpResponseRedirect(target if safe else "/")
        wrong = True
    return render(request, "core/sign_in_code.html", {"wrong": wrong}, status=200)


class AdminSite(admin.AdminSite):
    """The Django admin with the staff sign-in: the same throttle and code step as /login/, and
    no admin page for a session that has not passed the code step when it must."""

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and two_factor_satisfied(request)

    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": "Log in",
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
            **(extra_context or {}),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        request.current_app = self.name
        view = SignInView.as_view(
            authentication_form=self.login_form or AdminAuthenticationForm,
            template_name=self.login_template or "admin/login.html",
            extra_context=context,
        )
        return cast(HttpResponse, view(request))  # a page, a redirect or the 429 page
