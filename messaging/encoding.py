"""SMS encoding and segment counting (pure: no Django).

A text goes as GSM-7 when every character is in the GSM 03.38 basic set or its extension table
(extension characters such as ``€`` or ``{`` cost two septets), otherwise the whole message goes
as UCS-2, with every character as typed: a name in Polish, Urdu or Punjabi is never stripped.
One segment holds 160 GSM-7 septets or 70 UCS-2 code units; a concatenated message loses room to
its header, 153 and 67 per segment. As in Twilio's own segment calculator, an escape pair
(``€`` is ESC + e) and a character drawn from several code units (an emoji, a letter with its
combining accent) are never split across two segments: one that does not fit moves whole to the
next segment. Twilio bills per segment, so a single curly quote pasted from a word processor can
triple the cost of a campaign: ``sms_normalise`` swaps the usual offenders for their GSM
equivalents (Twilio's "smart encoding" does the same) before a message is queued.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

GSM7 = "gsm7"
UCS2 = "ucs2"

# GSM 03.38 basic character set (one septet each).
GSM_BASIC = frozenset(
    # ESC (0x1B) is the escape code itself, not a character a text may carry: a body holding one
    # goes as UCS-2 at Twilio, so it is not listed here.
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
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
    "`": "'",  # backtick: not in GSM-7 (Twilio's smart encoding makes it an apostrophe)
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


def _ucs2_units(text: str) -> int:
    # Characters outside the Basic Multilingual Plane (most emoji) take two UTF-16 code units.
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _joins_previous(ch: str, previous: str) -> bool:
    """Whether ``ch`` belongs to the same user-perceived character as the one before it."""
    code = ord(ch)
    return (
        unicodedata.combining(ch) != 0
        or unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or ch == "\u200d"  # zero-width joiner
        or previous == "\u200d"
        or 0xFE00 <= code <= 0xFE0F  # variation selectors (the emoji form of a symbol)
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tag characters (flags of England, Scotland, Wales)
    )


def _characters(body: str) -> Iterator[str]:
    """``body`` as the characters a person sees (grapheme clusters, closely enough for SMS): a
    letter with its accents, an emoji with its modifiers and joined parts, a pair of flag letters."""
    cluster = ""
    regional = 0
    for ch in body:
        is_regional = 0x1F1E6 <= ord(ch) <= 0x1F1FF
        if cluster and (_joins_previous(ch, cluster[-1]) or (is_regional and regional % 2 == 1)):
            cluster += ch
        else:
            if cluster:
                yield cluster
            cluster = ch
            regional = 0
        regional = regional + 1 if is_regional else 0
    if cluster:
        yield cluster


def _segments_for(sizes: list[int], *, single: int, multi: int) -> int:
    """Segments for pieces of these sizes, none split across two segments (Twilio's rule)."""
    if sum(sizes) <= single:
        return 1  # an empty text still costs one segment
    segments, used = 1, 0
    for size in sizes:
        if used + size > multi:
            segments, used = segments + 1, 0
        used += size
    return segments


def sms_segments(body: str) -> SegmentInfo:
    """How ``body`` will be sent, as is (call ``sms_normalise`` first to get the cheaper form)."""
    warnings: list[str] = []
    if is_gsm7(body):
        encoding = GSM7
        sizes = [2 if ch in GSM_EXTENDED else 1 for ch in body]
        segments = _segments_for(sizes, single=GSM_SINGLE, multi=GSM_MULTI)
    else:
        encoding = UCS2
        sizes = [_ucs2_units(character) for character in _characters(body)]
        segments = _segments_for(sizes, single=UCS2_SINGLE, multi=UCS2_MULTI)
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
    length = sum(sizes)
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
