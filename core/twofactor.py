"""Two-factor authentication for staff: a time-based code from an authenticator app (TOTP, RFC 6238)
after the password, kept by django-otp (its ``TOTPDevice`` rows and its session marker).

Optional for every staff member, who turns it on from their own page (/account/); required for
superusers when ``TWO_FACTOR_REQUIRED_FOR_SUPERUSERS`` is on. The code is asked at /login/ and at
/admin/login/ after the password (core.signin), and counted by the same throttle as the password.
A lost phone: an administrator deletes the person's TOTP device in the admin ("OTP TOTP"), and
they enrol again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

DEVICE_NAME = "Authenticator app"


def totp_device(*, user: AnyUser) -> TOTPDevice | None:
    """The person's confirmed authenticator, None when two-factor is off for them."""
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def totp_pending(*, user: AbstractBaseUser) -> TOTPDevice | None:
    """An authenticator being set up (shown as a QR code, not confirmed by a code yet)."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()


def two_factor_required(*, user: AnyUser) -> bool:
    """Whether this person must use two-factor: superusers, when the setting says so."""
    return bool(settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS and getattr(user, "is_superuser", False))


def session_is_verified(request: HttpRequest) -> bool:
    """Whether this session passed the code step (django-otp's middleware reads the marker)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def two_factor_satisfied(request: HttpRequest) -> bool:
    """The session may act: it passed the code step, or its user has no authenticator and is not
    required to have one."""
    if session_is_verified(request):
        return True
    if two_factor_required(user=request.user):
        return False
    return totp_device(user=request.user) is None


def totp_enrol_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """A fresh secret for the person's app (any earlier unfinished one is dropped)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def totp_enrol_confirm(*, request: HttpRequest, token: str) -> TOTPDevice | None:
    """Turn two-factor on once the person's app shows a code that matches the new secret; the
    session counts as verified from then on. None when the code does not match."""
    user = request.user
    pending = totp_pending(user=user)  # type: ignore[arg-type]
    if pending is None or verify_token(user, pending.persistent_id, token.strip()) is None:
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).delete()
        TOTPDevice.objects.filter(pk=pending.pk).update(confirmed=True)
    pending.confirmed = True
    otp_login(request, pending)
    return pending


def totp_check(*, user: AbstractBaseUser, token: str) -> TOTPDevice | None:
    """The person's authenticator when ``token`` is its current code (each code works once;
    django-otp also slows down repeated failures on the device)."""
    device = totp_device(user=user)
    if device is None:
        return None
    return verify_token(user, device.persistent_id, token.strip())


def session_verify(*, request: HttpRequest, token: str) -> bool:
    """Mark the signed-in session verified with a current code (a session older than the
    person's two-factor, or one the requirement caught)."""
    device = totp_check(user=request.user, token=token)  # type: ignore[arg-type]
    if device is None:
        return False
    otp_login(request, device)
    return True


def totp_remove(*, user: AbstractBaseUser) -> bool:
    """Turn two-factor off for the person (the caller has checked a current code)."""
    deleted, _ = TOTPDevice.objects.filter(user_id=user.pk).delete()
    return bool(deleted)


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret as people type it into an app by hand: base32 in groups of four."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code (the otpauth:// link with the secret) as an inline SVG."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#0b0c0c", light="#ffffff")


# --- the requirement, for every request ---------------------------------------------------------------
# Where a session that must still set up (or confirm) two-factor may go.
_OPEN_PATHS = ("/account/", "/logout/", "/login/", "/static/", "/healthz/")


class TwoFactorRequiredMiddleware:
    """When two-factor is required for a signed-in person (a superuser, with the setting on) and
    their session has not passed the code step, every page but their account page (where they set
    it up or enter a code), signing out and static files sends them there. Goes after django-otp's
    OTPMiddleware. API calls with a token are not sessions and are not affected."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and two_factor_required(user=user)
            and not session_is_verified(request)
            and not request.path.startswith(_OPEN_PATHS)
        ):
            if request.path.startswith("/api/"):
                message = "Two-factor authentication is required for this account: set it up at /account/."
                return JsonResponse(
                    {"error": {"code": "two_factor_required", "message": message}}, status=403
                )
            return HttpResponseRedirect(reverse("account") + "?required=1")
        return self.get_response(request)
