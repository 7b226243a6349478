"""SMS encoding and segment counting (pure: no Django).

A text goes as GSM-7 when every character is in the GSM 03.38 basic set or its extension table
(extension characters such as ``€`` or ``{`` cost two septets), otherwise the whole message goes
as UCS-2. One segment holds 160 GSM-7 septets or 70 UCS-2 code units; a concatenated message loses
room to its header, 153 and 67 per segment. Twilio bills per segment, so a single curly quote
pasted from a word processor can triple the cost of a campaign: ``sms_normalise`` swaps the usual
offenders for their GSM equivalents before a message is queued.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

GSM7 = "gsm7"
UCS2 = "ucs2"

# GSM 03.38 basic character set (one septet each).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs an escape septet plus itself.
GSM_EXTENDED = frozenset("\f^{}\\[~]|€")

# Characters people paste that have a GSM look-alike. Replacing them keeps a message in GSM-7.
GSM_REPLACEMENTS = {
    "\u2018": "'",  # left single quote
    "\u2019": "'",  # right single quote / apostrophe
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',  # left double quote
    "\u201d": '"',  # right double quote
    "\u201e": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2012": "-",
    "\u2015": "-",
    "\u2212": "-",  # minus sign
    "\u2026": "...",  # ellipsis
    "\u00a0": " ",  # no-break space
    "\u2002": " ",
    "\u2003": " ",
    "\u2009": " ",
    "\u200b": "",  # zero-width space
    "\ufeff": "",
    "\u2022": "-",  # bullet
    "\t": " ",
}

GSM_SINGLE, GSM_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67
WARN_ABOVE_SEGMENTS = 2
DEFAULT_PRICE_PER_SEGMENT_PENCE = 4.0  # a UK long code costs about 4p per segment


@dataclass(frozen=True)
class SegmentInfo:
    encoding: str  # "gsm7" or "ucs2"
    segments: int
    length: int  # septets for GSM-7, UTF-16 code units for UCS-2
    warnings: tuple[str, ...] = field(default=())


def sms_normalise(body: str) -> str:
    """Replace smart quotes, dashes, ellipses and odd spaces with their GSM-7 equivalents."""
    return "".join(GSM_REPLACEMENTS.get(ch, ch) for ch in body)


def is_gsm7(body: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in body)


def _ucs2_units(body: str) -> int:
    # Characters outside the Basic Multilingual Plane (most emoji) take two UTF-16 code units.
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in body)


def sms_segments(body: str) -> SegmentInfo:
    """How ``body`` will be sent, as is (call ``sms_normalise`` first to get the cheaper form)."""
    warnings: list[str] = []
    if is_gsm7(body):
        encoding = GSM7
        length = sum(2 if ch in GSM_EXTENDED else 1 for ch in body)
        single, multi = GSM_SINGLE, GSM_MULTI
    else:
        encoding = UCS2
        length = _ucs2_units(body)
        single, multi = UCS2_SINGLE, UCS2_MULTI
        offenders = sorted({ch for ch in body if ch not in GSM_BASIC and ch not in GSM_EXTENDED})
        fixable = [ch for ch in offenders if ch in GSM_REPLACEMENTS]
        if fixable:
            warnings.append(
                "Characters " + " ".join(repr(ch) for ch in fixable) + " have plain equivalents; "
                "replacing them keeps the text in GSM-7 (160 characters per segment, not 70)."
            )
        else:
            shown = " ".join(repr(ch) for ch in offenders[:5])
            warnings.append(f"Characters {shown} force UCS-2: 70 characters per segment instead of 160.")
    # An empty text still costs one segment.
    segments = 1 if length <= single else -(-length // multi)
    if segments > WARN_ABOVE_SEGMENTS:
        warnings.append(
            f"This text is {segments} segments long ({length} {'septets' if encoding == GSM7 else 'characters'}); "
            f"each segment is billed. Keep it to {WARN_ABOVE_SEGMENTS} or fewer."
        )
    return SegmentInfo(encoding=encoding, segments=segments, length=length, warnings=tuple(warnings))


def sms_batch_estimate(
    bodies: Iterable[str], *, price_per_segment_pence: float = DEFAULT_PRICE_PER_SEGMENT_PENCE
) -> tuple[int, int]:
    """(total segments, cost in whole pence, rounded up) for a batch of texts, after normalising.

    Use it before any bulk send: the cost is what Twilio will bill, segment by segment.
    """
    total = 0
    for body in bodies:
        total += sms_segments(sms_normalise(body)).segments
    cost = total * price_per_segment_pence
    return total, int(-(-cost // 1))
