"""Phone numbers: the identity of every volunteer, stored in E.164.

Pure module (no Django): used by forms, imports, the API and the SMS webhooks alike.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

DEFAULT_REGION = "GB"

# Ofcom reserves 07700 900000-900999 for drama and documentation. libphonenumber calls them
# invalid, but they are the numbers our demo data, examples and tests must use so that nothing
# real is ever texted by accident.
_OFCOM_DRAMA_MOBILE = re.compile(r"^\+447700900\d{3}$")

_SMS_CAPABLE = {
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.PERSONAL_NUMBER,
}


class InvalidPhone(ValueError):
    """A phone number that cannot be used; the message says why in plain words."""


def phone_normalise(raw: str, *, region: str = DEFAULT_REGION, require_mobile: bool = False) -> str:
    """Return ``raw`` in E.164 (``07700 900123`` -> ``+447700900123``) or raise InvalidPhone.

    ``require_mobile`` rejects numbers that cannot receive a text message (UK landlines), which is
    what a volunteer's number must be; a requester may give a landline.
    """
    # Any run of spaces, tabs or non-breaking spaces between digit groups is one space: a number is
    # read the same whichever a spreadsheet or a phone's keyboard put there.
    text = " ".join((raw or "").split())
    if not text:
        raise InvalidPhone("no phone number given")
    # People write "0044 7700...", "(0)7700 ..." and "+44 (0) 7700 ...": the "(0)" is a national
    # prefix that must go before parsing, or it becomes part of the subscriber number.
    text = text.replace("(0)", "")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        raise InvalidPhone(f"{raw.strip()!r} is not a phone number") from None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if _OFCOM_DRAMA_MOBILE.match(e164):
        return e164
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(_invalid_reason(text, number))
    if require_mobile and phonenumbers.number_type(number) not in _SMS_CAPABLE:
        raise InvalidPhone(f"{raw.strip()!r} cannot receive text messages (it is not a mobile number)")
    return e164


def _invalid_reason(text: str, number: phonenumbers.PhoneNumber) -> str:
    """Why libphonenumber refuses a number: the wrong number of digits, or (for a UK number with the
    right count, like 07700 901000) a range that no phone company has been given."""
    national = phonenumbers.national_significant_number(number)
    if number.country_code == 44:
        digits = len(national) + 1  # as written in the UK, with its 0
        if digits == 11:
            return (
                f"{text!r} is not a valid phone number: it has the right number of digits, but it is not in any range UK phone "
                "companies use (as far as the numbering plan this service knows goes); check it with the person"
            )
        return (
            f"{text!r} is not a valid phone number: it has {digits} digits, and a UK number has 11, "
            "like 07700 900123 (check the number of digits)"
        )
    return f"{text!r} is not a valid phone number (check the number of digits)"


def phone_e164_possible(raw: str, *, region: str = DEFAULT_REGION) -> str | None:
    """``raw`` in E.164 when it has the shape of a number (the right count of digits for its
    country), whether or not any phone company has been given its range; None otherwise.

    Not a check that a number is real: ``phone_normalise`` is. For looking a number up among
    those already stored (the phone simulator finds the demo's unallocated 07700 901xxx numbers)."""
    try:
        return phone_normalise(raw, region=region)
    except InvalidPhone:
        pass
    text = " ".join((raw or "").split()).replace("(0)", "")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_is_landline(e164: str) -> bool:
    """A number that can be called but not texted (a UK landline, like 0121 496 0123). A number
    that might be a mobile (FIXED_LINE_OR_MOBILE, as in some countries) is not a landline here."""
    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except NumberParseException:
        return False
    return phonenumbers.number_type(number) in (PhoneNumberType.FIXED_LINE, PhoneNumberType.VOIP)


def phone_is_e164(value: str) -> bool:
    return bool(re.fullmatch(r"\+[1-9]\d{6,14}", value or ""))


def phone_display(e164: str) -> str:
    """``+447700900123`` -> ``07700 900123`` for UK numbers, international format otherwise."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    if number.country_code == 44:
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        if _OFCOM_DRAMA_MOBILE.match(e164):
            return f"0{e164[3:7]} {e164[7:]}"
        return national
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_mask(e164: str) -> str:
    """Show only the last three digits, for lists seen by people who may not see the number."""
    if len(e164) < 4:
        return "***"
    return "*" * (len(e164) - 3) + e164[-3:]
