"""Confirming a new volunteer's phone with a 6-digit code, and what the volunteer's own page writes.

Volunteers have no passwords. A pending sign-up lives in the session (no table): the code is kept
only as an HMAC, expires, and allows a few tries, counted in the shared cache (an atomic increment
before the comparison), so neither a leaked session nor many requests at once can try more.
Completing it writes the volunteer with the exact consent words they saw. The links to their own
page are in volunteers/links.py.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core.languages import language_code
from volunteers.contact_state import Event, contact_state_apply, number_state
from volunteers.models import Volunteer

CODE_TTL = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
CODE_MAX_SENDS = 3
# Where a sign-up waits for its code (the session), and the cache counter of codes texted to a
# number this hour: both hold the number, so subject access and erasure reach them by these names.
JOIN_SESSION_KEY = "join_pending"


def join_sends_key(phone: str) -> str:
    return f"join:sends:{phone}"


def code_generate() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def code_hash(*, code: str, phone: str, nonce: str) -> str:
    # Keyed by SECRET_KEY and bound to the phone and this attempt, so a hash copied from one
    # session proves nothing for another.
    message = f"{phone}:{nonce}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@dataclass
class CodeCheck:
    ok: bool
    reason: str = ""  # "", "expired", "wrong", "too_many"
    attempts_left: int = 0


def _attempt_count(*, pending: dict) -> int:
    """Count one more try at this code, atomically and across every worker (the cache is Redis in
    production): parallel requests that all read the session before any wrote it back still get
    numbers 1, 2, 3, ... The count lives as long as the code, keyed by the code's random nonce
    alone: the cache holds no phone number that erasure would have to find."""
    key = f"join:tries:{pending['nonce']}"
    cache.add(key, 0, timeout=int(CODE_TTL.total_seconds()) + 60)
    try:
        return cache.incr(key)
    except ValueError:  # the key expired between add and incr: the code has too
        return CODE_MAX_ATTEMPTS + 1


def code_check(*, pending: dict, code: str, now: datetime | None = None) -> CodeCheck:
    """Check ``code`` against a pending sign-up. The try is counted before the comparison, so the
    sixth try is refused unseen whatever the concurrency; ``pending['attempts']`` mirrors the count
    for the page."""
    now = now or timezone.now()
    if now.timestamp() > pending["expires_at"]:
        return CodeCheck(False, "expired")
    attempt = _attempt_count(pending=pending)
    pending["attempts"] = min(attempt, CODE_MAX_ATTEMPTS)
    if attempt > CODE_MAX_ATTEMPTS:
        return CodeCheck(False, "too_many")
    expected = pending["code_hash"]
    given = code_hash(code=code.strip().replace(" ", ""), phone=pending["phone"], nonce=pending["nonce"])
    if hmac.compare_digest(expected, given):
        return CodeCheck(True)
    left = CODE_MAX_ATTEMPTS - attempt
    return CodeCheck(False, "too_many" if left <= 0 else "wrong", left)


@transaction.atomic
def signup_complete(*, pending: dict, now: datetime | None = None) -> Volunteer:
    """Create the volunteer (or update them: the phone is the identity) with the consent they gave.
    A fresh sign-up is the one way back for an erased number (volunteers.contact_state, JOIN).

    Call only after ``code_check`` said ok.
    """
    now = now or timezone.now()
    details = pending["details"]
    before = number_state(phone=pending["phone"])
    volunteer = Volunteer.objects.select_for_update().filter(phone=pending["phone"]).first()
    if volunteer is None:
        volunteer = Volunteer(phone=pending["phone"])
    volunteer.name = details["name"]
    volunteer.postcode = details["postcode"]
    volunteer.local_authority_id = details.get("local_authority_id")
    volunteer.set_location(details["latitude"], details["longitude"])
    volunteer.skills = details.get("skills", [])
    volunteer.languages = details.get("languages", ["en"])
    volunteer.preferred_language = language_code(details.get("preferred_language"))
    volunteer.has_car = details.get("has_car", False)
    volunteer.max_travel_km = details.get("max_travel_km", 3.0)
    volunteer.consent_text = pending["consent_text"]
    volunteer.consent_at = now
    volunteer.consent_channel = Volunteer.ConsentChannel.WEB
    volunteer.consent_source = "/join/ sign-up form; phone confirmed by a texted code"
    volunteer.last_active_at = now
    volunteer.save()
    contact_state_apply(volunteer=volunteer, event=Event.JOIN, before=before, now=now)
    return volunteer


def volunteer_settings_update(
    *,
    volunteer: Volunteer,
    status: str,
    availability: dict[str, list[list[str]]],
    max_travel_km: float,
    has_car: bool,
    preferred_language: str | None = None,
) -> Volunteer:
    """A volunteer changes how they can help from their own page: a break is PAUSE and "yes, I can
    help" is AVAILABLE, as by text (so an opted-out volunteer stays opted out: only START undoes
    STOP, as Twilio requires)."""
    with transaction.atomic():
        volunteer.availability = availability
        volunteer.max_travel_km = max_travel_km
        volunteer.has_car = has_car
        volunteer.last_active_at = timezone.now()
        fields = ["availability", "max_travel_km", "has_car", "last_active_at", "updated_at"]
        if preferred_language is not None:
            volunteer.preferred_language = language_code(preferred_language)
            fields.append("preferred_language")
        volunteer.save(update_fields=fields)
        event = Event.PAUSE if status == "paused" else Event.AVAILABLE
        contact_state_apply(volunteer=volunteer, event=event)
    return volunteer


def volunteer_language_set(*, volunteer: Volunteer, language: str) -> Volunteer:
    """The language the volunteer's texts, calls and pages are in, as they chose it (by text:
    LANGUAGE URDU). ``language`` must be one of core.languages (the caller found it there)."""
    volunteer.preferred_language = language_code(language)
    volunteer.last_active_at = timezone.now()
    volunteer.save(update_fields=["preferred_language", "last_active_at", "updated_at"])
    return volunteer
