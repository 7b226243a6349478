"""Data rights, the SMS part: the messages to, from and about a phone number, and its opt-out.

Composed by operations/data_rights.py; each function does one app's share and nothing else.
A text is found for a number when it was sent to it (``to``), came from it (``from_number``), or
carries that person's details to someone else (``about_phone``, recorded when it was queued); an
app above finds the texts about one of its records by the ``about`` name it gave them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.crypto import salted_hmac

from messaging.models import InboundCall, InboundMessage, OptOut, OutboundMessage
from messaging.phone_recordings import recording_delete

ERASED_BODY = "[erased]"
ERASED_NUMBER = "+999"  # not a reachable number (country code 999 is never assigned)
_KEY_PREFIX = "erased:"


def _iso(value):
    return value.isoformat() if value is not None else None


# --- the suppression list, without the numbers --------------------------------------------------
def erased_key(phone: str, *, secret: str | bytes | None = None) -> str:
    """The keyed hash an erased number is blocked by: the opt-out list keeps the block, not the
    number. Keyed with SECRET_KEY (so a leaked table cannot be checked against every number)."""
    digest = salted_hmac("rekindle.erased-phone", phone, secret=secret, algorithm="sha256").hexdigest()
    return _KEY_PREFIX + digest


def erased_keys(phone: str) -> list[str]:
    """The keys ``phone`` may be blocked under: with SECRET_KEY and each of SECRET_KEY_FALLBACKS,
    so that rotating the key (keeping the old one as a fallback) keeps erased numbers blocked."""
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return [erased_key(phone, secret=secret) for secret in secrets]


def opt_out_rows(phones: Iterable[str]):
    """The opt-out rows for these numbers, held in clear or (after an erasure) as keys."""
    wanted = list(phones)
    return OptOut.objects.filter(phone__in=[*wanted, *(k for p in wanted for k in erased_keys(p))])


def opt_out_block(*, phone: str) -> None:
    """Keep the number on the opt-out list for good, marked as erased, as a key only."""
    OptOut.objects.update_or_create(
        phone=erased_key(phone),
        defaults={"source": OptOut.Source.ERASURE, "keyword": "", "created_at": timezone.now()},
    )


def _opt_outs_hash(*, phone: str) -> int:
    """Replace the number's opt-out rows held in clear (a STOP, say) by the same rows held as a key."""
    rows = list(OptOut.objects.filter(phone=phone))
    for row in rows:
        OptOut.objects.filter(pk=row.pk).delete()
        OptOut.objects.get_or_create(
            phone=erased_key(phone),
            defaults={"source": row.source, "keyword": row.keyword, "created_at": row.created_at},
        )
    return len(rows)


def phones_opted_out(phones: Iterable[str]) -> dict[str, str]:
    """{phone: source} for those of ``phones`` on the opt-out list (in clear or as an erased key),
    in one query per 2000 numbers."""
    wanted = list(dict.fromkeys(phones))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 2000):
        chunk = wanted[start : start + 2000]
        by_key = {key: phone for phone in chunk for key in [phone, *erased_keys(phone)]}
        for stored, source in opt_out_rows(chunk).values_list("phone", "source"):
            found[by_key[stored]] = source
    return found


# --- subject access ------------------------------------------------------------------------------
def _outbound_doc(m: OutboundMessage) -> dict:
    return {
        "at": _iso(m.created_at),
        "body": m.body,
        "purpose": m.purpose,
        "state": m.state,
        "sent_at": _iso(m.sent_at),
    }


_LINK = re.compile(r"https?://\S+")


def _about_doc(m: OutboundMessage) -> dict:
    """A text that carried their details to someone else: what it said of them, not to whom, and
    without its links (an offer link is its recipient's key to their own page)."""
    return {**_outbound_doc(m), "body": _LINK.sub("[link removed]", m.body)}


def _call_doc(call: InboundCall) -> dict:
    """A call to the requests line; the recording itself is Twilio's (fetched for the person on
    request with the account's credentials, from ``recording_url``)."""
    return {
        "at": _iso(call.received_at),
        "seconds": call.duration_seconds,
        "outcome": call.outcome,
        "postcode_given": call.postcode,
        "message_seconds": call.recording_seconds,
        "recording_url": call.recording_url,
    }


def messaging_subject_access(
    *, phone: str, volunteer_id: int | None = None, about: Iterable[str] = ()
) -> dict:
    """Every text to and from the number (or linked to the volunteer), every text that carried
    their details to someone else (``about_phone``, or about one of the records named in
    ``about``), their calls to the requests line, and its opt-out, if any. A text about them says what it said, not to whom."""
    to_filter = Q(to=phone) | (Q(volunteer_id=volunteer_id) if volunteer_id else Q(pk__in=[]))
    from_filter = Q(from_number=phone) | (Q(volunteer_id=volunteer_id) if volunteer_id else Q(pk__in=[]))
    about_filter = (Q(about_phone=phone) | Q(about__in=list(about))) & ~to_filter
    opt_out = opt_out_rows([phone]).first()
    return {
        "messages_sent_to_them": [
            _outbound_doc(m) for m in OutboundMessage.objects.filter(to_filter).order_by("created_at")
        ],
        "messages_from_them": [
            {"at": _iso(m.received_at), "body": m.body, "read_as": m.command, "outcome": m.outcome}
            for m in InboundMessage.objects.filter(from_filter).order_by("received_at")
        ],
        "messages_about_them": [
            _about_doc(m) for m in OutboundMessage.objects.filter(about_filter).order_by("created_at")
        ],
        "calls_from_them": [
            _call_doc(c) for c in InboundCall.objects.filter(from_number=phone).order_by("received_at")
        ],
        "opt_out": None
        if opt_out is None
        else {"since": _iso(opt_out.created_at), "source": opt_out.source, "keyword": opt_out.keyword},
    }


# --- erasure -------------------------------------------------------------------------------------
def _words_erase(outbound, *, now) -> int:
    """Replace the words of these outbound texts; keep their length, segments, cost and state."""
    return outbound.exclude(body=ERASED_BODY).update(
        body_length=Length("body"), body=ERASED_BODY, about_phone="", updated_at=now
    )


def messages_about_erase(*, about: Iterable[str]) -> int:
    """Erase the words of every text about the records named in ``about`` (the accepter's text
    with a requester's address, say); recipients and figures stay. Call inside a transaction."""
    names = list(about)
    if not names:
        return 0
    return _words_erase(OutboundMessage.objects.filter(about__in=names), now=timezone.now())


def messages_naming_erase(*, names: Iterable[str]) -> int:
    """The safety net for free text: erase the words of every text, in or out, that writes one of
    these full names (a volunteer's "DONE 7KQ2, Edna Example was fine", a coordinator's reply
    naming the helper). Only names of two words or more: a first name alone is not looked for, it
    would erase strangers' texts. Call inside a transaction."""
    wanted = {" ".join(n.split()) for n in names if len(n.split()) >= 2}
    if not wanted:
        return 0
    naming = Q(pk__in=[])
    for name in wanted:
        naming |= Q(body__icontains=name)
    now = timezone.now()
    changed = _words_erase(OutboundMessage.objects.filter(naming), now=now)
    return changed + InboundMessage.objects.filter(naming).update(
        body_length=Length("body"), body=ERASED_BODY
    )


def _dedupe_keys_erase(outbound, *, phone: str) -> None:
    # A few purposes name the number in their key (a sign-up code's): the key keeps its row unique.
    for pk in outbound.filter(dedupe_key__contains=phone).values_list("pk", flat=True):
        OutboundMessage.objects.filter(pk=pk).update(dedupe_key=f"erased:{pk}")


def _calls_erase(*, phone: str) -> int:
    """Delete the number's calls to the requests line (number, recording link, postcode: that is
    all a call holds; its inbox copies go with it), their recordings at Twilio first. Raises
    RecordingUnavailable, before anything is deleted, when Twilio cannot delete one."""
    calls = list(InboundCall.objects.filter(from_number=phone))
    for call in calls:
        recording_delete(call=call)
    _, deleted = InboundCall.objects.filter(pk__in=[c.pk for c in calls]).delete()
    return deleted.get(InboundCall._meta.label, 0)


def messaging_erase(*, phone: str, volunteer_id: int | None = None, block: bool = True) -> dict[str, int]:
    """Erase the texts to, from and about the number; keep the rows (counts, cost, delivery
    statistics): a body keeps its length, segments and state, not its words. Its calls to the
    requests line are deleted, with their link to the recording, and the recordings at Twilio
    (RecordingUnavailable, raised before anything changed, when Twilio cannot delete one).

    Messages not yet sent are cancelled first, so erasure never races a send. The number's opt-out
    rows are kept as keyed hashes, not numbers; with ``block`` the number goes on that list (source
    "erasure") so that it is never texted again (the ICO's "suppression list").
    Call inside a transaction.
    """
    to_filter = Q(to=phone) | (Q(volunteer_id=volunteer_id) if volunteer_id else Q(pk__in=[]))
    from_filter = Q(from_number=phone) | (Q(volunteer_id=volunteer_id) if volunteer_id else Q(pk__in=[]))
    now = timezone.now()
    cancelled = OutboundMessage.objects.filter(
        to_filter, state__in=[OutboundMessage.State.QUEUED, OutboundMessage.State.ERRORED]
    ).update(state=OutboundMessage.State.CANCELLED, final_at=now, updated_at=now)
    to_them = OutboundMessage.objects.filter(to_filter)
    _dedupe_keys_erase(to_them, phone=phone)
    _words_erase(to_them, now=now)
    outbound = to_them.update(to=ERASED_NUMBER, error_message="", updated_at=now)
    about = _words_erase(OutboundMessage.objects.filter(about_phone=phone), now=now)
    inbound = (
        InboundMessage.objects.filter(from_filter)
        .exclude(body=ERASED_BODY)
        .update(body_length=Length("body"), body=ERASED_BODY, argument="", outcome_detail="")
    )
    InboundMessage.objects.filter(from_filter).update(from_number=ERASED_NUMBER)
    calls = _calls_erase(phone=phone)
    _opt_outs_hash(phone=phone)
    if block:
        opt_out_block(phone=phone)
    return {
        "messages_cancelled": cancelled,
        "messages_out": outbound,
        "messages_in": inbound,
        "messages_about": about,
        "calls": calls,
    }
