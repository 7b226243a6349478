"""One cell of a spreadsheet, as Excel and people leave it. Pure: no Django, no database.

Phone numbers come back from Excel in shapes that have lost or hidden digits: a number stored as
a decimal (``7412345678.0``), or shown in scientific notation (``7.41235E+09``), which keeps six
digits and throws the rest away. Such a cell is refused with what happened and how to put it right
in the spreadsheet; nothing here guesses at the lost digits. Lists are split on the separators
people type, and a value longer than its column holds is refused here, the same on every database.
"""

from __future__ import annotations

import re

import phonenumbers

from volunteers.phones import InvalidPhone, phone_normalise

# The widest text each column holds (the models' max_length; tests/volunteers/test_import_sheets.py
# checks the two agree).
NAME_MAX = 200
SLUG_MAX = 100

TEXT_COLUMN = "in Excel, format the column as Text (Format Cells, Text) and type the numbers in again"
_EXCEL_DECIMAL = re.compile(r"^\+?\d{9,13}\.0+$")
_EXCEL_SCIENTIFIC = re.compile(r"^\+?\d(?:[.,]\d+)?E\+?\d{1,2}$", re.IGNORECASE)


def _gb_mobile_pattern() -> re.Pattern[str]:
    # Most numbers in a sheet are ordinary UK mobiles. Checking them against libphonenumber's own GB
    # mobile pattern is one regex; the full phone_normalise (which tries every number type) costs
    # about 100 us a row, a quarter of a 100,000-row import. Anything else goes the full way.
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("GB")
    pattern = metadata.mobile.national_number_pattern if metadata and metadata.mobile else None
    # Without libphonenumber's pattern, the fast path matches nothing and every number goes the full way.
    return re.compile(pattern or r"(?!)")


_GB_MOBILE = _gb_mobile_pattern()
_UK_MOBILE_SHAPE = re.compile(r"^(?:\+44|0044|44)?0?(7\d{9})$")
_SEPARATORS = re.compile(r"[\s().\-]|\(0\)")


def spreadsheet_phone_problem(raw: str) -> str | None:
    """What Excel did to this phone number, and how to put it right; None when it did nothing."""
    text = (raw or "").strip()
    if _EXCEL_DECIMAL.match(text):
        return (
            f"{text!r} was stored by Excel as a decimal number (the '.0' at the end; Excel drops a 0 "
            f"at the start of such numbers too); {TEXT_COLUMN}, without the '.0'"
        )
    if _EXCEL_SCIENTIFIC.match(text):
        return (
            f"{text!r} is Excel's scientific notation: it kept only the first few digits and lost "
            f"the rest of the number; {TEXT_COLUMN} (from the original list: the digits are not in this file)"
        )
    return None


def mobile_normalise(raw: str, *, landline_ok: bool = False) -> str:
    """phone_normalise(raw, require_mobile=True) for a spreadsheet's cell, with a fast path for
    plain UK mobiles, and the Excel cases named. Raises InvalidPhone saying why. ``landline_ok``:
    the person is called, not texted, so a landline will do."""
    problem = spreadsheet_phone_problem(raw)
    if problem:
        raise InvalidPhone(problem)
    match = _UK_MOBILE_SHAPE.match(_SEPARATORS.sub("", raw or ""))
    if match and _GB_MOBILE.fullmatch(match.group(1)):
        return "+44" + match.group(1)
    if landline_ok:
        return phone_normalise(raw)
    try:
        return phone_normalise(raw, require_mobile=True)
    except InvalidPhone as exc:
        if "not a mobile" in str(exc):
            raise InvalidPhone(
                f"{exc}; to call this person instead, put call in a contact_by column"
            ) from None
        raise


_LIST_SEPARATORS = re.compile(r"\s*[;,/&]\s*|\s+and\s+", re.IGNORECASE)
_STRICT_SEPARATORS = re.compile(r"\s*[;,/]\s*")


def list_parse(text: str, *, words: bool = True) -> list[str]:
    """``"Shopping; driving, cooking"`` -> ``["shopping", "driving", "cooking"]`` (order kept, no repeats).

    The contract says ``;``; ``,``, ``/`` and, with ``words``, ``&`` and `` and `` are taken too,
    because that is how people write lists in a cell ("English/Urdu", "Punjabi and Urdu"). Group
    slugs are split on ``;``, ``,`` and ``/`` only (a group may be called "Friends and Neighbours")."""
    items: list[str] = []
    for part in (_LIST_SEPARATORS if words else _STRICT_SEPARATORS).split(text or ""):
        item = " ".join(part.split()).lower()
        if item and item not in items:
            items.append(item)
    return items


def text_fit_problem(value: str, column: str, limit: int) -> str | None:
    """Why ``value`` does not fit ``column``, or None: the same answer on every database (SQLite
    would keep it whole, PostgreSQL would refuse the file's whole batch)."""
    if len(value) <= limit:
        return None
    return f"{column}: {len(value)} characters, but at most {limit} fit; shorten it in the spreadsheet"
