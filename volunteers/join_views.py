"""/join/: a volunteer signs up and confirms their phone with a texted code.

The code goes out through the outbox that messaging plugs in (volunteers/texting.py). The pending
sign-up is kept in the session: no row is written until the phone is confirmed.

The page answers every number the same way, whatever its history: a number that texted STOP, or
has had codes already, or is on the register or was erased, is told exactly what a new number is
told ("if this number can take our texts, a code is on its way"), so the form cannot be used to
learn anything about someone's number.

The pages are in the visitor's language (``?lang=``, the switcher, then Accept-Language; the
language they pick in the form from then on), and so is the code's text.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.i18n import SESSION_LANGUAGE_KEY, language_pages, with_call_line
from core.languages import SPOKEN
from core.throttling import join_address_allow
from volunteers.forms import CONSENT_TEXT, CodeForm, JoinForm
from volunteers.links import page_link_issue
from volunteers.phones import phone_display, phone_mask
from volunteers.signup import (
    CODE_MAX_SENDS,
    CODE_TTL,
    JOIN_SESSION_KEY,
    code_check,
    code_generate,
    code_hash,
    join_sends_key,
    signup_complete,
)
from volunteers.texting import text_send

SESSION_KEY = JOIN_SESSION_KEY
# Across sessions too: nobody can make us text one number more than this per hour.
SENDS_PER_PHONE_PER_HOUR = 5


def _send_code(request: HttpRequest, pending: dict) -> bool:
    """Start a fresh code for this sign-up and text it where the number may be texted. False only
    when this session has asked for all its codes; otherwise the answer is the same whether or not
    a text went (too many codes to this number this hour, or it opted out): see the module's note.
    The caller checks the connection's own limit first."""
    if pending.get("sends", 0) >= CODE_MAX_SENDS:
        return False
    code = code_generate()
    pending["nonce"] = secrets.token_hex(8)
    pending["code_hash"] = code_hash(code=code, phone=pending["phone"], nonce=pending["nonce"])
    pending["expires_at"] = (timezone.now() + CODE_TTL).timestamp()
    pending["attempts"] = 0
    pending["sends"] = pending.get("sends", 0) + 1
    request.session[SESSION_KEY] = pending
    throttle_key = join_sends_key(pending["phone"])
    cache.add(throttle_key, 0, timeout=3600)
    if cache.incr(throttle_key) > SENDS_PER_PHONE_PER_HOUR:
        return True  # nobody can make us text one number more than this; they are not told
    minutes = int(CODE_TTL.total_seconds() // 60)
    with translation.override(pending["details"].get("preferred_language") or translation.get_language()):
        body = with_call_line(
            _(
                "Your Rekindle code is %(code)s. It works for %(minutes)s minutes. If you did not ask for it, ignore this text."
            )
            % {"code": code, "minutes": minutes}
        )
    with transaction.atomic():
        text_send(
            to=pending["phone"],
            body=body,
            dedupe_key=f"join-code:{pending['phone']}:{pending['nonce']}",
            purpose="signup_code",
        )
    return True


def _visitor(request: HttpRequest, *args, **kwargs) -> None:
    """The sign-up pages' language is the visitor's (core.i18n.language_from_request)."""
    return None


def _switcher(request: HttpRequest) -> list[dict]:
    """The language switcher's links: each language in its own name, the current one marked."""
    current = translation.get_language()
    return [{"code": lang.code, "name": lang.own_name, "current": lang.code == current} for lang in SPOKEN]


@never_cache
@language_pages(_visitor)
def join(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = JoinForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            place = form.place
            # From now on the pages and the code's text are in the language they chose.
            request.session[SESSION_LANGUAGE_KEY] = data["preferred_language"]
            translation.activate(data["preferred_language"])
            pending = {
                "phone": data["phone"],
                # The words on the page they ticked, kept verbatim until the record is written.
                "consent_text": str(CONSENT_TEXT),
                "details": {
                    "name": data["name"].strip(),
                    "postcode": place.postcode,
                    "latitude": place.latitude,
                    "longitude": place.longitude,
                    "local_authority_id": place.local_authority_id,
                    "skills": data["skills"],
                    "languages": data["languages"],
                    "has_car": data["has_car"],
                    "max_travel_km": data["max_travel_km"],
                    "preferred_language": data["preferred_language"],
                },
            }
            # The connection's limit says nothing about the number, so it may be said plainly.
            if not join_address_allow(request):
                form.add_error(
                    None, _("Too many sign-ups from this connection. Please try again in an hour.")
                )
            elif _send_code(request, pending):
                return redirect("join-confirm")
    else:
        form = JoinForm(initial={"preferred_language": translation.get_language()})
    return render(
        request,
        "volunteers/join.html",
        {"form": form, "consent_text": CONSENT_TEXT, "languages": _switcher(request)},
    )


@never_cache
@language_pages(_visitor)
def join_confirm(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(SESSION_KEY)
    if not pending:
        messages.info(request, _("Please fill in the form first: we then text you a code."))
        return redirect("join")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = code_check(pending=pending, code=form.cleaned_data["code"])
        request.session[SESSION_KEY] = pending  # the attempt count must stick
        if result.ok:
            volunteer = signup_complete(pending=pending)
            del request.session[SESSION_KEY]
            request.session.cycle_key()
            messages.success(
                request,
                _("Welcome, %(name)s. Your number is confirmed and you are signed up.")
                % {"name": volunteer.name},
            )
            return redirect(page_link_issue(volunteer=volunteer))
        if result.reason == "expired":
            form.add_error("code", _("That code has run out. Ask for a new one below."))
        elif result.reason == "too_many":
            form.add_error("code", _("That was the last try for this code. Ask for a new one below."))
        elif result.attempts_left == 1:
            form.add_error("code", _("That code is not right. You have 1 try left."))
        else:
            form.add_error(
                "code",
                _("That code is not right. You have %(count)s tries left.") % {"count": result.attempts_left},
            )
    return render(
        request,
        "volunteers/join_confirm.html",
        {
            "form": form,
            "phone": phone_display(pending["phone"]),
            "phone_masked": phone_mask(pending["phone"]),
            "can_resend": pending.get("sends", 0) < CODE_MAX_SENDS,
        },
    )


@require_POST
@language_pages(_visitor)
def join_resend(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(SESSION_KEY)
    if not pending:
        return redirect("join")
    if join_address_allow(request) and _send_code(request, pending):
        messages.success(request, _("If this number can take our texts, a new code is on its way."))
    else:
        messages.error(request, _("We cannot send another code now. Please try again in an hour."))
    return redirect(reverse("join-confirm"))
