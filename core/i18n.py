"""The volunteer-facing pages and texts in the person's own language (Django's translation framework).

Staff pages stay English: nothing here is site-wide. A volunteer's page activates a language only
for its own view (``language_pages``), and every text is rendered under ``translation.override``
of its recipient's language (``text_language``). The phone line's sentence (``call_line``) goes at
the end of every text, for people who cannot read it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import phonenumbers
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext

from core.languages import DEFAULT, language_code, language_is_ours

# Where the language a visitor picked on /join/ (?lang=ur, or the switcher) is kept.
SESSION_LANGUAGE_KEY = "volunteer_language"

Picker = Callable[..., str | None]


def text_language(code: str | None) -> str:
    """The language a text to this person goes in: theirs when it is one of ours, else English."""
    return language_code(code)


def language_from_request(request: HttpRequest) -> str:
    """For a visitor we do not know yet: ``?lang=`` (remembered for the session), what they chose
    before, then what their browser asks for (Accept-Language), then English."""
    asked = request.GET.get("lang", "")
    if language_is_ours(asked):
        code = language_code(asked)
        if hasattr(request, "session"):
            request.session[SESSION_LANGUAGE_KEY] = code
        return code
    kept = request.session.get(SESSION_LANGUAGE_KEY, "") if hasattr(request, "session") else ""
    if language_is_ours(kept):
        return language_code(kept)
    browser = translation.get_language_from_request(request, check_path=False)
    return language_code(browser) if language_is_ours(browser) else DEFAULT


def language_pages(pick: Picker) -> Callable:
    """Show the decorated view in the language ``pick(request, **kwargs)`` names (None: the
    visitor's, see ``language_from_request``). Only the decorated view: staff pages stay English."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            code = pick(request, *args, **kwargs) or language_from_request(request)
            with translation.override(code):
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
                shown = translation.get_language()  # the view may have switched to a new choice
            response.headers.setdefault("Content-Language", shown)
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            return response

        return wrapped

    return decorate


def phone_line_display() -> str:
    """The service's phone line in UK national format ("0121 496 0000"); "" when none is set."""
    number = settings.PHONE_LINE_NUMBER
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return number
    if parsed.country_code == 44:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def call_line() -> str:
    """The sentence every text ends with, in the active language, for people who cannot read it:
    "Call 0121 496 0000 to hear this." ("" when the service has no phone line)."""
    number = phone_line_display()
    if not number:
        return ""
    return gettext("To hear this, call %(number)s.") % {"number": number}


def with_call_line(body: str) -> str:
    """``body`` with the call line at its end (a space between); unchanged when there is no line."""
    line = call_line()
    return f"{body} {line}" if line and body else body
