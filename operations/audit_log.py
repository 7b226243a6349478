"""Reads of the audit log for the page each organisation's coordinators have (/audit/): who did
what to which record, when, for their own organisations only.

What a line shows is chosen, not dumped: the time, the person (a staff username, or "Rekindle"
for the service itself), what was done in words, the record (a need by its REF, a campaign by its
name, anything else by its kind and number) and a few details known to carry no personal data
(a REF, a channel, a count). Names, numbers, addresses, free text and volunteer ids in a line's
details are never shown here: the page adds nothing to what a coordinator may already see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from needs.models import Need
from reactivation.models import Campaign
from volunteers.models import AuditEvent
from volunteers.permissions import COORDINATOR, User, is_superuser, organisation_ids_for

PAGE_SIZE = 50

# What each action means, in words a coordinator uses. An action not listed shows its code.
ACTION_LABELS: dict[str, str] = {
    "need.create": "Posted a need",
    "need.offer": "Offered a need to volunteers",
    "need.assigned": "A volunteer accepted a need",
    "need.cancel": "Cancelled a need",
    "need.done": "Marked a need done",
    "need.assignment_seen": "Saw who accepted a need",
    "need.reconfirmed": "Re-confirmed a need with the requester",
    "need.no_candidates": "Nobody within reach was left for a need",
    "need.followup_unanswered": "A volunteer did not answer the follow-up",
    "need.requester.read": "Read a requester's details",
    "need.edit": "Changed a need",
    "need.expired": "A need's time passed before anyone took it",
    "need.handed_over": "Handed a need to another organisation",
    "need.received": "Received a need from another organisation",
    "campaign.approval_requested": "Asked for a campaign to be approved",
    "campaign.start": "Started a campaign",
    "campaign.approve": "Approved a campaign",
    "campaign.pause": "Paused a campaign",
    "campaign.resume": "Resumed a campaign",
    "campaign.cancel": "Cancelled a campaign",
    "campaign.completed": "A campaign finished",
    "inbox.reply": "Replied to a text in the inbox",
    "inbox.resolve": "Marked a text or call in the inbox dealt with",
    "inbox.need_started": "Started a need from a text or call in the inbox",
    "inbox.recording_heard": "Listened to a caller's message in the inbox",
    "volunteer.update": "Corrected a volunteer's details",
    "volunteer.pause": "Paused a volunteer",
    "volunteer.resume": "Resumed a volunteer",
    "volunteer.contact.read": "Saw volunteers' phone numbers",
    "group.update": "Corrected a group's details",
    "needs.closed.export": "Downloaded closed needs",
    "data_rights.subject_access": "Answered a subject access request",
    "data_rights.erasure": "Erased a person's data",
    "data_rights.requester_erasure_scheduled": "Scheduled a requester's data for erasure",
}
# Details that carry no personal data, with how each is shown.
SAFE_DETAILS: dict[str, str] = {
    "ref": "REF {}",
    "channel": "by {}",
    "searched_km": "searched {} km",
    "wave": "wave {}",
}
TARGET_KINDS: dict[str, str] = {
    "needs.Need": "Need",
    "reactivation.Campaign": "Campaign",
    "volunteers.Volunteer": "Volunteer",
    "volunteers.MutualAidGroup": "Group",
    "messaging.InboundMessage": "Text",
    "messaging.InboundCall": "Call to the phone line",
    "messaging.OutboundMessage": "Text",
}


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    who: str
    action: str
    what: str
    record: str
    link: str
    details: str
    organisation: str


def audit_organisation_ids(*, user: User) -> set[int] | None:
    """The organisations whose log ``user`` may read: those they coordinate (None: every one, for
    a superuser)."""
    if is_superuser(user):
        return None
    return organisation_ids_for(user=user, roles={COORDINATOR})


def audit_events_for(
    *,
    user: User,
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    organisation_id: int | None = None,
) -> QuerySet[AuditEvent]:
    """The log lines ``user`` may read, newest first, filtered by action and dates (London days,
    both ends included)."""
    allowed = audit_organisation_ids(user=user)
    events = AuditEvent.objects.filter(organisation__isnull=False)
    if allowed is not None:
        events = events.filter(organisation_id__in=allowed)
    if organisation_id is not None:
        events = events.filter(organisation_id=organisation_id)
    if action:
        events = events.filter(action=action)
    tz = timezone.get_current_timezone()
    if date_from:
        events = events.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        events = events.filter(at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    return events.select_related("actor", "organisation").order_by("-at", "-pk")


def audit_actions_for(*, user: User) -> list[tuple[str, str]]:
    """The actions found in the lines ``user`` may read, as (code, words), for the search form."""
    codes = audit_events_for(user=user).order_by().values_list("action", flat=True).distinct()
    return sorted(((code, ACTION_LABELS.get(code, code)) for code in codes), key=lambda pair: pair[1])


def _records(events: list[AuditEvent]) -> dict[tuple[str, str], tuple[str, str]]:
    """(target type, id) -> (what to call it, a link) for the needs and campaigns on one page, in
    one query each."""

    def ids(kind: str) -> list[int]:
        return [int(e.target_id) for e in events if e.target_type == kind and e.target_id.isdigit()]

    found: dict[tuple[str, str], tuple[str, str]] = {}
    for pk, ref in Need.objects.filter(pk__in=ids("needs.Need")).values_list("pk", "ref"):
        found[("needs.Need", str(pk))] = (f"Need {ref}", f"/needs/{pk}/")
    for pk, name in Campaign.objects.filter(pk__in=ids("reactivation.Campaign")).values_list("pk", "name"):
        found[("reactivation.Campaign", str(pk))] = (f"Campaign “{name}”", f"/campaigns/{pk}/")
    return found


def _details(detail: Any) -> str:
    if not isinstance(detail, dict):
        return ""
    shown = [
        SAFE_DETAILS[key].format(detail[key]) for key in SAFE_DETAILS if detail.get(key) not in (None, "")
    ]
    if isinstance(detail.get("volunteers"), list):
        shown.append(f"{len(detail['volunteers'])} volunteer{'s' if len(detail['volunteers']) != 1 else ''}")
    if "sent" in detail:
        shown.append("reply sent" if detail["sent"] else "no reply sent")
    return ", ".join(shown)


def audit_lines(events: Iterable[AuditEvent]) -> list[AuditLine]:
    """One page of the log as the page shows it (two queries, whatever the page's length)."""
    events = list(events)
    records = _records(events)
    lines = []
    for event in events:
        kind = TARGET_KINDS.get(event.target_type, "")
        record, link = records.get((event.target_type, event.target_id), ("", ""))
        if not record and kind and event.target_id:
            record = f"{kind} #{event.target_id}"
        lines.append(
            AuditLine(
                at=event.at,
                who=event.actor.get_username() if event.actor else "Rekindle",
                action=event.action,
                what=ACTION_LABELS.get(event.action, event.action),
                record=record,
                link=link,
                details=_details(event.detail),
                organisation=event.organisation.name if event.organisation else "",
            )
        )
    return lines
