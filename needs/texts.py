"""The words of every text the needs app sends (pure: no Django).

Offer texts carry the REF, the category, an approximate place (postcode district and distance,
never the address), the window and how to reply. Every name, address and detail goes letter for
letter as typed: a text that needs letters outside GSM-7 (Zoë, Łukasiewicz, a name in Urdu script,
details in Punjabi) goes as UCS-2, never stripped; only the smart-encoding look-alikes of
``messaging.encoding.sms_normalise`` (curly quotes, dashes...) are swapped. Where a text must stay
short (an offer's summary, the accepter's details), whole words are left off the end and "..."
says so; a word is never cut and no letter is dropped. The room is the same in both encodings:
two GSM-7 segments hold about as many characters as four UCS-2 ones, so a summary in Punjabi is not
cut shorter than one in English (it costs more segments, which the cost shown counts).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from messaging.encoding import GSM7, sms_normalise, sms_segments

LONDON = ZoneInfo("Europe/London")
MAX_OFFER_SEGMENTS = 2  # GSM-7; UCS-2 gets UCS2_SEGMENTS_PER_GSM times as many
MAX_ACCEPTED_SEGMENTS = 3
UCS2_SEGMENTS_PER_GSM = 2  # a UCS-2 segment holds 67 characters, a GSM-7 one 153


def text_tidy(text: str) -> str:
    """One line, smart punctuation swapped for its GSM-7 look-alike; every letter kept."""
    return sms_normalise(" ".join((text or "").split()))


def held_until_text(when: datetime) -> str:
    """ "held until 08:00": when a text held by quiet hours goes, London time, for pages."""
    return "held until " + when.astimezone(LONDON).strftime("%H:%M")


def window_text(start: datetime | None, end: datetime | None) -> str:
    if start is None:
        if end is None:
            return "any time"
        return "by " + end.astimezone(LONDON).strftime("%a %d %b %H:%M")
    s = start.astimezone(LONDON)
    if end is None:
        return "from " + s.strftime("%a %d %b %H:%M")
    e = end.astimezone(LONDON)
    if e.date() == s.date():
        return f"{s:%a %d %b} {s:%H:%M}-{e:%H:%M}"
    return f"{s:%a %d %b %H:%M} to {e:%a %d %b %H:%M}"


def _within(text: str, max_segments: int) -> bool:
    """Whether ``text`` fits ``max_segments`` GSM-7 segments, or the same room in UCS-2."""
    info = sms_segments(text)
    return info.segments <= (max_segments if info.encoding == GSM7 else max_segments * UCS2_SEGMENTS_PER_GSM)


def _fit(head: str, summary: str, tail: str, max_segments: int) -> str:
    """``head`` + as many of the summary's words as fit in ``max_segments`` + ``tail``: whole
    words from the start, "..." when some were left off, nothing when not even the first fits.
    (Not ``str.format``: a brace in an address or a name is a character like any other.)"""

    def piece(words: list[str], cut: bool) -> str:
        if not words:
            return ""
        text = " ".join(words)
        if cut:
            return f" {text}..."
        return f" {text}" if text[-1] in ".!?" else f" {text}."

    words = summary.split()
    for keep in range(len(words), -1, -1):
        text = head + piece(words[:keep], cut=keep < len(words)) + tail
        if _within(text, max_segments):
            return text
    return text


def offer_text(
    *,
    sender: str,
    ref: str,
    category: str,
    summary: str,
    district: str,
    distance_km: float,
    window: str,
    link: str,
    minutes_to_reply: int,
) -> str:
    place = f"near {district}" if district else "near you"
    reply_by = f"{minutes_to_reply} min" if minutes_to_reply < 120 else f"{minutes_to_reply // 60} h"
    head = f"{text_tidy(sender)}: can you help? {ref} {text_tidy(category)}, {place} ({distance_km:.1f} km)."
    tail = f" When: {window}. Reply YES {ref} or NO {ref} within {reply_by}, or see {link}"
    return _fit(head, text_tidy(summary), tail, MAX_OFFER_SEGMENTS)


def accepted_text(
    *,
    sender: str,
    ref: str,
    requester_name: str,
    requester_phone: str,
    address: str,
    postcode: str,
    details: str,
    window: str,
    link: str,
) -> str:
    who = ", ".join(p for p in (text_tidy(requester_name), requester_phone) if p) or "the requester"
    where = ", ".join(p for p in (text_tidy(address), postcode) if p) or "(ask the coordinator)"
    head = f"{text_tidy(sender)}: thank you, {ref} is yours. {who}. {where}. When: {window}."
    tail = f" Reply DONE {ref} when it is done. Details: {link}"
    return _fit(head, text_tidy(details), tail, MAX_ACCEPTED_SEGMENTS)


def withdrawn_text(*, sender: str, ref: str, reason: str) -> str:
    return text_tidy(f"{sender}: {ref} {reason}. Thank you for being ready to help. No need to reply.")


def help_coming_text(*, sender: str, volunteer_first_name: str, window: str) -> str:
    """To the requester (only when they agreed): who is coming and when, nothing else."""
    who = text_tidy(volunteer_first_name) or "A volunteer"
    return text_tidy(f"{sender}: help is on its way. {who} will come {window}. Reply STOP to opt out.")


def followup_text(*, sender: str, ref: str) -> str:
    return text_tidy(
        f"{sender}: how did {ref} go? Reply DONE {ref} if it is done. If something went wrong, "
        f"reply with a few words and a coordinator will read it."
    )
