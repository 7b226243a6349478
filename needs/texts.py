"""The words of every text the needs app sends (pure: no Django).

Offer texts carry the REF, the category, an approximate place (postcode district and distance,
never the address), the window and how to reply; they stay GSM-7 and at most two segments, so a
stray curly quote or a long summary never triples the cost or splits into a UCS-2 message.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from messaging.encoding import GSM_BASIC, GSM_EXTENDED, sms_normalise, sms_segments

LONDON = ZoneInfo("Europe/London")
MAX_OFFER_SEGMENTS = 2


def gsm_clean(text: str) -> str:
    """GSM-7 only: swap the usual offenders for plain equivalents, drop what has none."""
    text = sms_normalise(" ".join((text or "").split()))
    return "".join(ch for ch in text if ch in GSM_BASIC or ch in GSM_EXTENDED)


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


def _fit(template: str, summary: str, max_segments: int) -> str:
    """Fill ``{summary}`` with as much of the summary as fits in ``max_segments``."""

    def piece(words: str, cut: bool = False) -> str:
        if not words:
            return ""
        if cut:
            return f" {words}..."
        return f" {words}" if words[-1] in ".!?" else f" {words}."

    text = template.format(summary=piece(summary))
    while summary and sms_segments(text).segments > max_segments:
        summary = summary[: max(0, len(summary) - 10)].rstrip()
        text = template.format(summary=piece(summary, cut=True))
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
    template = (
        f"{gsm_clean(sender)}: can you help? {ref} {gsm_clean(category)}, {place} "
        f"({distance_km:.1f} km).{{summary}} When: {window}. "
        f"Reply YES {ref} or NO {ref} within {reply_by}, or see {link}"
    )
    return _fit(template, gsm_clean(summary), MAX_OFFER_SEGMENTS)


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
    who = ", ".join(p for p in (gsm_clean(requester_name), requester_phone) if p) or "the requester"
    where = ", ".join(p for p in (gsm_clean(address), postcode) if p) or "(ask the coordinator)"
    template = (
        f"{gsm_clean(sender)}: thank you, {ref} is yours. {who}. {where}. When: {window}."
        f"{{summary}} Reply DONE {ref} when it is done. Details: {link}"
    )
    return _fit(template, gsm_clean(details), 3)


def withdrawn_text(*, sender: str, ref: str, reason: str) -> str:
    return gsm_clean(f"{sender}: {ref} {reason}. Thank you for being ready to help. No need to reply.")


def help_coming_text(*, sender: str, volunteer_first_name: str, window: str) -> str:
    """To the requester (only when they agreed): who is coming and when, nothing else."""
    who = gsm_clean(volunteer_first_name) or "A volunteer"
    return gsm_clean(f"{sender}: help is on its way. {who} will come {window}. Reply STOP to opt out.")


def followup_text(*, sender: str, ref: str) -> str:
    return gsm_clean(
        f"{sender}: how did {ref} go? Reply DONE {ref} if it is done. If something went wrong, "
        f"reply with a few words and a coordinator will read it."
    )
