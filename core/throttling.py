"""Throttles for the two doors a stranger can knock on without an account: staff sign-in (password
guessing) and /join/ (texting codes costs money and annoys whoever owns the number).

Counters live in Django's cache: with REDIS_URL set that is Redis, shared by every gunicorn worker
and machine; without it LocMem, per process (enough for one-process development). Each check-and-count
runs under one short lock taken with ``cache.add`` (atomic on both backends), so concurrent guesses
cannot slip through between a read and a write, and a refused guess is counted nowhere.

The client's address is taken exactly as the API's throttles take it (DRF's ``get_ident``):
REMOTE_ADDR, or with NUM_PROXIES > 0 the address that many hops back in X-Forwarded-For. Trusting
X-Forwarded-For without a proxy in front would let anyone pick a fresh address per guess.
"""

from __future__ import annotations

import contextlib
import math
import time
import uuid
from collections.abc import Iterator

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


# --- fixed-window counters on the cache, checked and counted under one lock ---------------------
LOCK_KEY = "throttle:lock"
LOCK_SECONDS = 5  # a holder that died frees the lock by itself after this long
LOCK_WAIT_SECONDS = 2.0


class ThrottleBusy(Exception):
    """The counters' lock could not be had in time: the attempt is refused (fail closed)."""


@contextlib.contextmanager
def _counters_locked() -> Iterator[None]:
    """Hold the counters' lock. ``cache.add`` is atomic on LocMem and on Redis (SET NX), so one
    holder at a time across every process sharing the cache; each holder does two cache calls.
    Checking and counting under it means several keys move together: of forty guesses sent at
    once exactly as many as are allowed get through, whichever key runs out first."""
    token = uuid.uuid4().hex
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while not cache.add(LOCK_KEY, token, timeout=LOCK_SECONDS):
        if time.monotonic() > deadline:
            raise ThrottleBusy
        time.sleep(0.001)
    try:
        yield
    finally:
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)


def _windows(keys: list[str], now: float) -> dict[str, tuple[int, float]]:
    """Each key's (count, end of its window), counting a window over by our own clock as empty:
    the cache's expiry runs on the cache server's clock (Redis), which may differ from ours."""
    stored = cache.get_many(keys)
    out = {}
    for key in keys:
        count, until = stored.get(key) or (0, 0.0)
        out[key] = (count, until) if until > now else (0, 0.0)
    return out


def _reserve(keys: list[str], allowed: int, window: int) -> int:
    """Count one event in every key's window (a window starts at its first event) if none of them
    has had ``allowed`` already. Returns 0 when counted, otherwise the seconds until the fullest
    window ends; a refused event is counted nowhere."""
    try:
        with _counters_locked():
            now = time.time()
            state = _windows(keys, now)
            full = [until for count, until in state.values() if count >= allowed]
            if full:
                return max(1, math.ceil(max(full) - now))
            for key, (count, until) in state.items():
                until = until or now + window
                cache.set(key, (count + 1, until), timeout=max(1, math.ceil(until - now)))
            return 0
    except ThrottleBusy:
        return 5


def _take_back(key: str) -> None:
    """Take back one event counted by ``_reserve`` (an attempt that turned out not to count)."""
    with contextlib.suppress(ThrottleBusy), _counters_locked():
        now = time.time()
        count, until = _windows([key], now)[key]
        if count > 0:
            cache.set(key, (count - 1, until), timeout=max(1, math.ceil(until - now)))


# --- staff sign-in ----------------------------------------------------------------------------------
def _login_keys(request: HttpRequest, username: str) -> list[str]:
    # Usernames are case-insensitive to a guesser ("Cora" and "cora" are one target).
    return [f"login:fail:addr:{client_address(request)}", f"login:fail:user:{username.strip().lower()[:150]}"]


def login_attempt_reserve(request: HttpRequest, username: str) -> int:
    """Count this sign-in attempt (a password or a two-factor code) against the address and the
    username before it is checked. Returns 0 when it may be checked, otherwise the seconds until
    one may be. Counting first, atomically, is what holds under parallel attempts: of forty
    guesses sent at once, exactly as many as are allowed reach the check; a refused attempt is
    counted nowhere (it was not tried). A failed attempt stays counted; a whole
    sign-in that succeeds calls ``login_success_record``."""
    allowed, window = login_limits()
    return _reserve(_login_keys(request, username), allowed, window)


def login_success_record(request: HttpRequest, username: str) -> None:
    """The account's owner got in: this attempt is not held against the address, and earlier
    mistakes on that username are forgiven. The address's other counts stay (an attacker with an
    account of their own must not be able to reset it by signing in)."""
    keys = _login_keys(request, username)
    _take_back(keys[0])
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
    return _reserve([f"join:sends:addr:{client_address(request)}"], allowed, window) == 0
