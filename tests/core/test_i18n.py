"""The pieces every translated text uses: the phone line's number as people in the UK write it,
the sentence that carries it (in the reader's language), where it goes in a campaign text, and
how a language is found from what a person typed."""

from __future__ import annotations

import pytest
from django.utils import translation

from core.i18n import call_line, phone_line_display, text_language, with_call_line
from core.languages import language_code, language_find
from reactivation.wording import call_line_insert


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("+441214960000", "0121 496 0000"),
        ("+447700900000", "07700 900000"),
        ("0121 496 0000", "0121 496 0000"),
        ("+12025550123", "+1 202-555-0123"),
        ("", ""),
    ],
)
def test_the_phone_line_is_shown_in_uk_national_format(settings, number, shown):
    settings.PHONE_LINE_NUMBER = number
    assert phone_line_display() == shown


def test_the_call_line_is_in_the_active_language_and_absent_without_a_number(settings):
    settings.PHONE_LINE_NUMBER = "+441214960000"
    assert with_call_line("Hello.") == "Hello. To hear this, call 0121 496 0000."
    with translation.override("pl"):
        assert call_line() == "Aby to odsłuchać, zadzwoń pod 0121 496 0000."
    settings.PHONE_LINE_NUMBER = ""
    assert with_call_line("Hello.") == "Hello." and call_line() == ""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Brum Aid: can you help? Reply STOP to opt out",
            "Brum Aid: can you help? CALL. Reply STOP to opt out",
        ),
        ("Brum Aid: can you help?", "Brum Aid: can you help? CALL."),
    ],
)
def test_a_campaign_text_keeps_its_opt_out_at_the_end(body, expected):
    assert call_line_insert(body, "CALL.") == expected
    assert call_line_insert(body, "") == body


@pytest.mark.parametrize(
    ("typed", "code"),
    [("URDU", "ur"), ("اردو", "ur"), ("polski", "pl"), ("Polish.", "pl"), ("PANJABI", "pa"), ("bangla", "bn"),
     ("العربية", "ar"), ("pl", "pl"), ("Klingon", None), ("", None)],
)  # fmt: skip
def test_a_language_is_found_by_its_english_name_its_own_name_or_its_code(typed, code):
    found = language_find(typed)
    assert (found.code if found else None) == code


def test_a_code_that_is_not_ours_means_english():
    assert [language_code(c) for c in ("ur-PK", "PL", "so", "", None)] == ["ur", "pl", "en", "en", "en"]
    assert text_language("ar") == "ar" and text_language("de") == "en"
