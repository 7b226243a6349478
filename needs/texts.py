"""The words of every text the needs app sends (no models: only Django's translations and date names).

Offer texts carry the REF, the category, an approximate place (postcode district and distance,
never the address), the window and how to reply. Every name, address and detail goes letter for
letter as typed: a text that needs letters outside GSM-7 (Zoë, Łukasiewicz, a name in Urdu script,
details in Punjabi) goes as UCS-2, never stripped; only the smart-encoding look-alikes of
``messaging.encoding.sms_normalise`` (curly quotes, dashes...) are swapped. Where a text must stay
short (an offer's summary, the accepter's details), whole words are left off the end and "..."
says so; a word is never cut and no letter is dropped. The room is the same in both encodings:
two GSM-7 segments hold about as many characters as four UCS-2 ones, so a summary in Punjabi is not
cut shorter than one in English (it costs more segments, which the cost shown counts).

Every text is in the language active when it is built (callers wrap it in
``translation.override`` of the recipient's language: ``core.i18n.text_language``) and ends with
the phone line to call for people who cannot read it. The contract's reply words (YES, NO, DONE,
STOP) stay in Latin capitals in every language: the grammar reads those.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext as _

from core.i18n import call_line
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


def _day(when: datetime) -> str:
    """ "Mon 06 Apr" in English; the day and month in the active language's words otherwise
    (Django's own names, as the pages show them)."""
    return formats.date_format(when, "D d M")


def window_text(start: datetime | None, end: datetime | None) -> str:
    if start is None:
        if end is None:
            return _("any time")
        e = end.astimezone(LONDON)
        return _("by %(when)s") % {"when": f"{_day(e)} {e:%H:%M}"}
    s = start.astimezone(LONDON)
    if end is None:
        return _("from %(when)s") % {"when": f"{_day(s)} {s:%H:%M}"}
    e = end.astimezone(LONDON)
    if e.date() == s.date():
        return f"{_day(s)} {s:%H:%M}-{e:%H:%M}"
    return _("%(start)s to %(end)s") % {"start": f"{_day(s)} {s:%H:%M}", "end": f"{_day(e)} {e:%H:%M}"}


def _with_call(tail: str) -> str:
    line = call_line()
    return f"{tail} {line}" if line else tail


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
    place = _("near %(district)s") % {"district": district} if district else _("near you")
    if minutes_to_reply < 120:
        reply_by = _("%(minutes)s min") % {"minutes": minutes_to_reply}
    else:
        reply_by = _("%(hours)s h") % {"hours": minutes_to_reply // 60}
    head = _("%(sender)s: can you help? %(ref)s %(category)s, %(place)s (%(km)s km).") % {
        "sender": text_tidy(sender),
        "ref": ref,
        "category": text_tidy(category),
        "place": place,
        "km": f"{distance_km:.1f}",
    }
    tail = " " + _(
        "When: %(window)s. Reply YES %(ref)s or NO %(ref)s within %(reply_by)s, or see %(link)s"
    ) % {
        "window": window,
        "ref": ref,
        "reply_by": reply_by,
        "link": link,
    }
    return _fit(head, text_tidy(summary), _with_call(tail), MAX_OFFER_SEGMENTS)


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
    who = ", ".join(p for p in (text_tidy(requester_name), requester_phone) if p) or _("the requester")
    where = ", ".join(p for p in (text_tidy(address), postcode) if p) or _("(ask the coordinator)")
    head = _("%(sender)s: thank you, %(ref)s is yours. %(who)s. %(where)s. When: %(window)s.") % {
        "sender": text_tidy(sender),
        "ref": ref,
        "who": who,
        "where": where,
        "window": window,
    }
    tail = " " + _("Reply DONE %(ref)s when it is done. Details: %(link)s") % {"ref": ref, "link": link}
    return _fit(head, text_tidy(details), _with_call(tail), MAX_ACCEPTED_SEGMENTS)


def withdrawn_text(*, sender: str, ref: str, reason: str) -> str:
    """``reason`` is already in the recipient's language (see ``needs.words``)."""
    return text_tidy(
        _with_call(
            _("%(sender)s: %(ref)s %(reason)s. Thank you for being ready to help. No need to reply.")
            % {"sender": sender, "ref": ref, "reason": reason}
        )
    )


def help_coming_text(*, sender: str, volunteer_first_name: str, window: str) -> str:
    """To the requester (only when they agreed): who is coming and when, nothing else."""
    who = text_tidy(volunteer_first_name) or _("A volunteer")
    return text_tidy(
        _with_call(
            _("%(sender)s: help is on its way. %(who)s will come %(window)s.")
            % {"sender": sender, "who": who, "window": window}
        )
        + " "
        + _("Reply STOP to opt out.")
    )


def followup_text(*, sender: str, ref: str) -> str:
    return text_tidy(
        _with_call(
            _(
                "%(sender)s: how did %(ref)s go? Reply DONE %(ref)s if it is done. If something went "
                "wrong, reply with a few words and a coordinator will read it."
            )
            % {"sender": sender, "ref": ref}
        )
    )
