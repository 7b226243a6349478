"""Every sentence a volunteer hears on a call about a need (the offer, its keys, the details after
key 1). Marked for translation with named placeholders; voice says them in the volunteer's
language. Nothing of the requester is said before the volunteer has taken the task."""

from __future__ import annotations

from datetime import datetime

from django.utils.formats import date_format, time_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _


def offer_intro(*, sender: str, category: str, area: str, window: str) -> str:
    if area:
        return _("Hello, this is %(sender)s. Can you help? %(category)s, near %(area)s, %(window)s.") % {
            "sender": sender,
            "category": category,
            "area": area,
            "window": window,
        }
    return _("Hello, this is %(sender)s. Can you help? %(category)s, near you, %(window)s.") % {
        "sender": sender,
        "category": category,
        "window": window,
    }


def offer_keys() -> list[str]:
    return [_("Press 1 to take it."), _("Press 2 if you cannot."), _("Press 3 to hear this again.")]


def window_spoken(start: datetime | None, end: datetime | None) -> str:
    """When, in words a voice can say: "on Monday 30 November, from 10:00 to 12:00"."""

    def day(moment: datetime) -> str:
        return date_format(localtime(moment), "l j F")

    def hour(moment: datetime) -> str:
        return time_format(localtime(moment), "H:i")

    if start is None and end is None:
        return _("at any time")
    if start is None:
        return _("by %(time)s on %(day)s") % {"time": hour(end), "day": day(end)}  # type: ignore[arg-type]
    if end is None:
        return _("from %(time)s on %(day)s") % {"time": hour(start), "day": day(start)}
    if localtime(start).date() == localtime(end).date():
        return _("on %(day)s, from %(start)s to %(end)s") % {
            "day": day(start),
            "start": hour(start),
            "end": hour(end),
        }
    return _("from %(start)s on %(start_day)s to %(end)s on %(end_day)s") % {
        "start": hour(start),
        "start_day": day(start),
        "end": hour(end),
        "end_day": day(end),
    }


def accepted() -> str:
    return _("Thank you, this task is yours. Here are the details. I will say them twice.")


def detail_lines(
    *, name: str, phone: str, address: str, postcode: str, details: str, window: str
) -> list[str]:
    lines = []
    if name:
        lines.append(_("Name: %(name)s.") % {"name": name})
    if phone:
        lines.append(_("Phone number: %(number)s.") % {"number": phone})
    if address:
        lines.append(_("Address: %(address)s.") % {"address": address})
    if postcode:
        lines.append(_("Postcode: %(postcode)s.") % {"postcode": postcode})
    if details:
        lines.append(_("What is needed: %(details)s.") % {"details": details})
    lines.append(_("When: %(window)s.") % {"window": window})
    return lines


def once_more() -> str:
    return _("Once more.")


def also_by_text() -> str:
    return _("We have sent you these details by text as well.")


def ask_coordinator() -> str:
    return _("If you need them again, call us. Thank you for helping. Goodbye.")


def taken() -> str:
    return _("Someone else has taken it, thank you. Goodbye.")


def not_open() -> str:
    return _("This task is no longer open to you. Thank you. Goodbye.")


def declined() -> str:
    return _("No problem, we will ask someone else. Thank you. Goodbye.")


def already_closed() -> str:
    return _("This offer was already closed. Nothing more to do. Goodbye.")
