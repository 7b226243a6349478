"""Throttles for the two doors a stranger can knock on without an account: staff sign-in (password
guessing) and /join/ (texting codes costs money and annoys whoever owns the number).

Counters live in Django's cache: with REDIS_URL set that is Redis, shared by every gunicorn worker
and machine; without it LocMem, per process (enough for one-process development). Counting uses
``cache.add`` + ``cache.incr``, atomic on both backends, so concurrent guesses cannot slip through
between a read and a write.

The client's address is taken exactly as the API's throttles take it (DRF's ``get_ident``):
REMOTE_ADDR, or with NUM_PROXIES > 0 the address that many hops back in X-Forwarded-For. Trusting
X-Forwarded-For without a proxy in front would let anyone pick a fresh address per guess.
"""

from __future__ import annotations

import contextlib
import math
import time

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template import engines
from rest_framework.throttling import BaseThrottle


def login_limits() -> tuple[int, int]:
    """(failed attempts allowed, window in seconds)."""
    return settings.LOGIN_THROTTLE_FAILURES, settings.LOGIN_THROTTLE_WINDOW_SECONDS


def join_limits() -> tuple[int, int]:
    """(code requests allowed per address, window in seconds). Generous: a community centre or a
    family on one connection may sign several people up; a script texting strangers may not."""
    return settings.JOIN_SENDS_PER_ADDRESS, settings.JOIN_SENDS_PER_ADDRESS_WINDOW_SECONDS


def client_address(request: HttpRequest) -> str:
    """The caller's address as DRF's throttles see it (honours REST_FRAMEWORK["NUM_PROXIES"])."""
    # get_ident reads only request.META, which a Django request has as much as DRF's.
    return BaseThrottle().get_ident(request) or "unknown"  # type: ignore[arg-type]


# --- a fixed-window counter on the cache ----------------------------------------------------------
def _expired(key: str) -> bool:
    # The window's end is also kept as a time of ours: the cache's own expiry runs on the cache
    # server's clock (Redis), which may differ from this process's.
    until = cache.get(f"{key}:until")
    return until is None or until <= time.time()


def _count(key: str) -> int:
    if _expired(key):
        return 0
    return int(cache.get(key) or 0)


def _hit(key: str, window: int) -> int:
    """Count one more event in ``key``'s window (the window starts at its first event) and return
    the count, this event included. Atomic: ``cache.add`` creates a window once, ``cache.incr``
    counts, so events at the same moment each get their own number."""
    until = cache.get(f"{key}:until")
    if until is not None and until <= time.time():
        # Over by our clock, though the cache (Redis, on its own clock) may still hold it.
        cache.delete_many([key, f"{key}:until"])
    if cache.add(key, 0, timeout=window):
        cache.add(f"{key}:until", time.time() + window, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: start a new window
        cache.add(key, 0, timeout=window)
        cache.add(f"{key}:until", time.time() + window, timeout=window)
        return cache.incr(key)


def _unhit(key: str) -> None:
    """Take back one event counted by ``_hit`` (an attempt that was refused, not tried)."""
    with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing to take back
        cache.decr(key)


def _seconds_left(key: str, window: int) -> int:
    until = cache.get(f"{key}:until")
    return max(1, math.ceil(until - time.time())) if until else window


# --- staff sign-in ----------------------------------------------------------------------------------
def _login_keys(request: HttpRequest, username: str) -> list[str]:
    # Usernames are case-insensitive to a guesser ("Cora" and "cora" are one target).
    return [f"login:fail:addr:{client_address(request)}", f"login:fail:user:{username.strip().lower()[:150]}"]


def login_attempt_reserve(request: HttpRequest, username: str) -> int:
    """Count this sign-in attempt (a password or a two-factor code) against the address and the
    username before it is checked. Returns 0 when it may be checked, otherwise the seconds until
    one may be. Counting first, atomically, is what holds under parallel attempts: of forty
    guesses sent at once, only as many as are allowed ever reach the check; a refused attempt is
    taken back off the counts (it was not tried). A failed attempt stays counted; a whole
    sign-in that succeeds calls ``login_success_record``."""
    allowed, window = login_limits()
    keys = _login_keys(request, username)
    over = [key for key in keys if _hit(key, window) > allowed]
    if not over:
        return 0
    for key in keys:
        _unhit(key)
    return max(_seconds_left(key, window) for key in over)


def login_success_record(request: HttpRequest, username: str) -> None:
    """The account's owner got in: this attempt is not held against the address, and earlier
    mistakes on that username are forgiven. The address's other counts stay (an attacker with an
    account of their own must not be able to reset it by signing in)."""
    keys = _login_keys(request, username)
    _unhit(keys[0])
    cache.delete_many([k for k in keys if ":user:" in k])


THROTTLED_PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Too many attempts{% endblock %}{% block content %}'
    "<h1>Too many attempts</h1>"
    '<p class="notice notice-error" role="alert">{{ message }}</p>'
    "<p>This protects staff accounts from password guessing. If you have forgotten your password, "
    "ask an administrator to reset it.</p>"
    '<p><a href="{% url "login" %}">Back to sign in</a></p>{% endblock %}'
)


def throttled_response(request: HttpRequest, seconds: int) -> HttpResponse:
    minutes = max(1, math.ceil(seconds / 60))
    message = f"Too many attempts, try again in {minutes} minute{'s' if minutes != 1 else ''}."
    response = HttpResponse(THROTTLED_PAGE.render({"message": message}, request), status=429)
    response["Retry-After"] = str(seconds)
    return response


class ThrottledLoginView(auth_views.LoginView):
    """Django's LoginView, refusing with 429 once an address or a username has had too many
    attempts in the window (``login_attempt_reserve``). While blocked even the right password is
    refused: otherwise the guessing would simply go on until it succeeded. The same view, with the
    admin's form and template, is the admin's sign-in (core.signin)."""

    def post(self, request, *args, **kwargs):
        seconds = login_attempt_reserve(request, request.POST.get("username", ""))
        if seconds:
            return throttled_response(request, seconds)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        login_success_record(self.request, self.request.POST.get("username", ""))
        return super().form_valid(form)


# --- /join/ code requests -----------------------------------------------------------------------------
def join_address_allow(request: HttpRequest) -> bool:
    """Count one code request from this address; False once the address is over its limit."""
    allowed, window = join_limits()
    return _hit(f"join:sends:addr:{client_address(request)}", window) <= allowed
