"""Reads for SMS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from messaging.models import InboundCall, InboundMessage, InboxEntry, OutboundMessage
from messaging.permissions import can_answer_entry, can_use_desk, inbox_organisation_ids
from volunteers.models import Organisation, Volunteer
from volunteers.permissions import User, is_superuser


@dataclass(frozen=True)
class ConversationLine:
    at: datetime
    direction: str  # "in" (from the phone) or "out" (to the phone)
    body: str
    status: str


def conversation_for(*, phone: str, limit: int = 100) -> list[ConversationLine]:
    outs = OutboundMessage.objects.filter(to=phone).order_by("-created_at")[:limit]
    ins = InboundMessage.objects.filter(from_number=phone).order_by("-received_at")[:limit]
    lines = [ConversationLine(m.created_at, "out", m.body, m.get_state_display()) for m in outs]
    lines += [ConversationLine(m.received_at, "in", m.body, m.get_outcome_display()) for m in ins]
    return sorted(lines, key=lambda line: line.at)[-limit:]


SIMULATOR_RESULTS = 50


@dataclass(frozen=True)
class TextsToHear:
    """What the requests line may read to a caller: their own recent texts from us, newest first,
    in the language they were written in; ``held_back`` counts texts carrying someone else's
    details (a caller's number can be faked, so those are read only on a call we place)."""

    bodies: list[str]
    language: str
    held_back: int


TEXTS_TO_HEAR_DAYS = 14
TEXTS_TO_HEAR_MAX = 3


def caller_language(*, phone: str) -> str:
    """The language a caller to the phone line hears: a volunteer's own, else English."""
    return Volunteer.objects.filter(phone=phone).values_list("preferred_language", flat=True).first() or "en"


def texts_to_hear(*, phone: str) -> TextsToHear:
    since = timezone.now() - timedelta(days=TEXTS_TO_HEAR_DAYS)
    rows = list(
        OutboundMessage.objects.filter(to=phone, created_at__gte=since)
        .exclude(body="")
        .exclude(state=OutboundMessage.State.CANCELLED)
        .order_by("-created_at")
        .values_list("body", "about_phone")[: TEXTS_TO_HEAR_MAX * 2]
    )
    language = caller_language(phone=phone)
    bodies = [body for body, about in rows if not about][:TEXTS_TO_HEAR_MAX]
    return TextsToHear(bodies=bodies, language=language, held_back=sum(1 for _, about in rows if about))


def simulator_search(*, query: str, limit: int = SIMULATOR_RESULTS) -> list[tuple[str, str]]:
    """Volunteers whose name or number matches ``query`` ("nadia", "902324", "07700 902324"), as
    (phone, name), first by name; nothing for an empty query (the demo has thousands)."""
    query = " ".join(query.split())
    if not query:
        return []
    match = Q(name__icontains=query)
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) >= 3:
        # Typed nationally (07700 ...) or in part: the digits after the leading 0 are in the E.164.
        match |= Q(phone__contains=digits.removeprefix("0"))
    return list(
        Volunteer.objects.filter(match).order_by("name", "phone").values_list("phone", "name")[:limit]
    )


def simulator_number_known(*, phone: str) -> bool:
    """Whether ``phone`` (E.164) is a volunteer's or has been texted by the service."""
    return Volunteer.objects.filter(phone=phone).exists() or OutboundMessage.objects.filter(to=phone).exists()


@dataclass(frozen=True)
class InboxSection:
    """One inbox as a person sees it: an organisation's (``organisation``) or the regional desk."""

    organisation: Organisation | None
    waiting: list[InboxEntry]
    recent: list[InboxEntry]

    @property
    def is_desk(self) -> bool:
        return self.organisation is None

    @property
    def entries(self) -> list[InboxEntry]:
        return self.waiting + self.recent


def inbox_sections_for(*, user: User | None, limit: int = 200, recent: int = 20) -> list[InboxSection]:
    """The inboxes ``user`` reads (messaging/permissions.py), each with the texts and calls
    waiting (oldest first) and those dealt with lately (latest first). In five queries, however many texts."""
    desk = can_use_desk(user=user)
    if is_superuser(user):
        scope = Q()
        organisations = list(Organisation.objects.filter(inbox_entries__isnull=False).distinct())
    else:
        organisation_ids = inbox_organisation_ids(user=user)
        scope = Q(organisation_id__in=organisation_ids) | (
            Q(organisation__isnull=True) if desk else Q(pk__in=[])
        )
        organisations = list(Organisation.objects.filter(id__in=organisation_ids))
    entries = InboxEntry.objects.filter(scope).select_related(
        "message", "message__volunteer", "call", "organisation"
    )
    entries = entries.annotate(
        others=Subquery(
            # The other copies of the same text or call (NULL matches nothing: a text has no call).
            InboxEntry.objects.filter(Q(message_id=OuterRef("message_id")) | Q(call_id=OuterRef("call_id")))
            .exclude(pk=OuterRef("pk"))
            .values("message_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
    )
    arrived = Coalesce("message__received_at", "call__received_at")
    waiting = list(entries.filter(resolved_at__isnull=True).order_by(arrived, "pk")[:limit])
    done = list(
        entries.filter(resolved_at__isnull=False)
        .select_related("resolved_by")
        .order_by("-resolved_at")[:recent]
    )
    sections = [
        InboxSection(
            organisation=o,
            waiting=[e for e in waiting if e.organisation_id == o.pk],
            recent=[e for e in done if e.organisation_id == o.pk],
        )
        for o in sorted(organisations, key=lambda o: o.name)
    ]
    if desk:
        sections.append(
            InboxSection(
                organisation=None,
                waiting=[e for e in waiting if e.organisation_id is None],
                recent=[e for e in done if e.organisation_id is None],
            )
        )
    return sections


def inbox_entry_for(*, user: User | None, entry_id: int) -> InboxEntry | None:
    """One inbox entry, if ``user`` reads the inbox it is in; None otherwise (as if it did not exist)."""
    entry = InboxEntry.objects.select_related("message", "call", "organisation").filter(pk=entry_id).first()
    if entry is None or not can_answer_entry(user=user, organisation_id=entry.organisation_id):
        return None
    return entry


def inbox_call_for(*, user: User | None, call_id: int) -> InboundCall | None:
    """A call to the requests line, if it is in an inbox ``user`` reads; None otherwise."""
    call = InboundCall.objects.filter(pk=call_id).first()
    if call is None:
        return None
    kept_for = InboxEntry.objects.filter(call=call).values_list("organisation_id", flat=True)
    if any(can_answer_entry(user=user, organisation_id=organisation_id) for organisation_id in kept_for):
        return call
    return None


def outbox_oldest_waiting() -> datetime | None:
    """Since when the oldest urgent text that may go now has been waiting (None: none is).

    Texts held by quiet hours or a back-off are not waiting yet; bulk texts may legitimately queue
    behind a campaign's rate cap. One row through the outbox_ready index."""
    return (
        OutboundMessage.objects.filter(
            state__in=(OutboundMessage.State.QUEUED, OutboundMessage.State.ERRORED),
            priority=OutboundMessage.Priority.URGENT,
            send_after__lte=timezone.now(),
        )
        .order_by("send_after")
        .values_list("send_after", flat=True)
        .first()
    )
