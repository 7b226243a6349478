"""Staff alerts: what a coordinator must act on reaches them by email or text, at once or in a
daily summary, and never twice.

Events come from the audit log (``volunteers.services.audit_listener_register``: the apps that
record "nobody within reach is left" or "a campaign awaits approval" need not know about alerts)
and from the hourly look for needs that have waited too long. Each event has a key; an event
already told is not told again. A delivery row per person and channel is claimed before it is
sent. Alerts carry no personal data: a need's REF, its category and district, and a link.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.urls import reverse
from django.utils import timezone

from messaging.models import InboxEntry
from messaging.services import message_queue
from needs.models import Need
from operations.models import Alert, AlertDelivery, AlertKind, AlertSettings, Channel, Timing
from reactivation.models import Campaign
from volunteers.geography import PostcodeError, postcode_district
from volunteers.models import AuditEvent, Organisation, StaffRole

# A claim this old belonged to a worker that died before sending: it may be tried again.
STALE_CLAIM = timedelta(minutes=10)
RECIPIENT_ROLES: dict[str, set[str]] = {
    AlertKind.APPROVAL_REQUESTED: {StaffRole.Role.CAMPAIGN_MANAGER, StaffRole.Role.COORDINATOR},
}
# The regional desk is kept by an infrastructure body's coordinators and campaign managers.
DESK_ROLES: set[str] = {StaffRole.Role.COORDINATOR, StaffRole.Role.CAMPAIGN_MANAGER}
DEFAULT_ROLES: set[str] = {StaffRole.Role.COORDINATOR}


# --- what each event says -------------------------------------------------------------------------


def _where(need: Need) -> str:
    try:
        district = postcode_district(need.postcode) if need.postcode else ""
    except PostcodeError:
        district = ""
    return district or (need.local_authority.name if need.local_authority is not None else "")


def _need_words(need: Need) -> str:
    where = _where(need)
    return f"need {need.ref} ({need.get_category_display()}{', ' + where if where else ''})"


def _nobody_left(need: Need) -> dict[str, Any]:
    return {
        "subject": f"Nobody within reach is left for need {need.ref}",
        "text": f"Nobody within reach could be offered {_need_words(need)}. Open it to widen the "
        "search or to find someone by phone.",
        "path": reverse("needs:detail", args=[need.pk]),
        "urgent": need.urgency in (Need.Urgency.CRITICAL, Need.Urgency.HIGH),
    }


def _followup_unanswered(need: Need) -> dict[str, Any]:
    return {
        "subject": f"Need {need.ref}: the volunteer has not answered the follow-up",
        "text": f"{_need_words(need).capitalize()} is not marked done, and the volunteer has not "
        "answered our text asking whether it is. Check with them.",
        "path": reverse("needs:detail", args=[need.pk]),
        "urgent": False,
    }


def _approval_requested(campaign: Campaign) -> dict[str, Any]:
    return {
        "subject": f"Campaign {campaign.name!r} is waiting for approval",
        "text": f"The campaign {campaign.name!r} is large enough to need a second person's approval "
        "before it starts. Read its dry run and approve it, or say why not.",
        "path": reverse("reactivation:detail", args=[campaign.pk]),
        "urgent": False,
    }


def _inbox_waiting(entry: InboxEntry) -> dict[str, Any]:
    where = entry.organisation.name if entry.organisation is not None else "the regional desk"
    if entry.is_call:
        return {
            "subject": f"A call to the phone line is waiting in the inbox of {where}",
            "text": "Someone called the phone line and may need help. Open the inbox to listen and call them back.",
            "path": reverse("inbox"),
            "urgent": False,
        }
    return {
        "subject": f"A text is waiting in the inbox of {where}",
        "text": "Someone texted something a person needs to read. Open the inbox to read it and reply.",
        "path": reverse("inbox"),
        "urgent": False,
    }


def _need_waiting(need: Need) -> dict[str, Any]:
    return {
        "subject": f"Need {need.ref} has waited {settings.NEEDS_RECONFIRM_AFTER_HOURS} hours for a volunteer",
        "text": f"{_need_words(need).capitalize()} still has no volunteer. Check with the person "
        "who asked whether it is still needed, and offer it again or widen the search.",
        "path": reverse("needs:detail", args=[need.pk]),
        "urgent": False,
    }


def _need_expired(need: Need) -> dict[str, Any]:
    return {
        "subject": f"Need {need.ref} ended before anyone took it",
        "text": f"The time given for {_need_words(need)} has passed and no volunteer took it, so it "
        "is closed and the volunteers asked were told nothing more. If it is still needed, post it "
        "again with a new time.",
        "path": reverse("needs:detail", args=[need.pk]),
        "urgent": False,
    }


def _need_handed_over(need: Need) -> dict[str, Any]:
    return {
        "subject": f"Need {need.ref} was handed to your organisation",
        "text": f"Another organisation handed you {_need_words(need)}. It is yours now: open it to "
        "see who asked and to offer it to volunteers.",
        "path": reverse("needs:detail", args=[need.pk]),
        "urgent": need.urgency in (Need.Urgency.CRITICAL, Need.Urgency.HIGH),
    }


# audit action -> (kind, the model its target must be, what it says)
FROM_AUDIT: dict[str, tuple[str, type[Model], Callable[..., dict[str, Any]]]] = {
    "need.no_candidates": (AlertKind.NOBODY_LEFT, Need, _nobody_left),
    "need.followup_unanswered": (AlertKind.FOLLOWUP_UNANSWERED, Need, _followup_unanswered),
    "campaign.approval_requested": (AlertKind.APPROVAL_REQUESTED, Campaign, _approval_requested),
    "inbox.received": (AlertKind.INBOX_WAITING, InboxEntry, _inbox_waiting),
    "need.expired": (AlertKind.NEED_EXPIRED, Need, _need_expired),
    "need.received": (AlertKind.NEED_HANDED_OVER, Need, _need_handed_over),
}


def alert_on_audit(*, event: AuditEvent, target: Model | None) -> None:
    """The audit listener (registered in operations/apps.py): an alert for the events in FROM_AUDIT."""
    known = FROM_AUDIT.get(event.action)
    if known is None or target is None:
        return
    kind, model, words = known
    if not isinstance(target, model) or (event.organisation is None and kind != AlertKind.INBOX_WAITING):
        return
    alert_raise(
        kind=kind,
        organisation=event.organisation,
        key=f"{event.action}:{event.target_type}:{event.target_id}",
        skip_user_id=event.actor_id,
        **words(target),
    )


# --- raising ---------------------------------------------------------------------------------------


def alert_recipients(
    *, kind: str, organisation: Organisation | None, skip_user_id: int | None = None
) -> list:
    """The staff of ``organisation`` who act on ``kind`` (never the person who caused it); with no
    organisation (the regional desk), the staff of the infrastructure bodies who keep it."""
    roles = RECIPIENT_ROLES.get(kind, DEFAULT_ROLES) if organisation is not None else DESK_ROLES
    where = (
        Q(staff_roles__organisation=organisation)
        if organisation is not None
        else Q(staff_roles__organisation__kind=Organisation.Kind.INFRASTRUCTURE)
    )
    users = get_user_model().objects.filter(where, is_active=True, staff_roles__role__in=roles)
    if skip_user_id is not None:
        users = users.exclude(pk=skip_user_id)
    return list(users.distinct().select_related("alert_settings"))


def _deliveries_for(*, alert: Alert, user) -> list[AlertDelivery]:
    prefs = getattr(user, "alert_settings", None) or AlertSettings(user=user)
    rows = []
    for channel in Channel:
        timing = prefs.timing(alert.kind, channel)
        reachable = bool(user.email) if channel == Channel.EMAIL else bool(prefs.phone)
        if timing != Timing.OFF and reachable:
            rows.append(AlertDelivery(alert=alert, user=user, channel=channel, timing=timing))
    return rows


def alert_raise(
    *,
    kind: str,
    organisation: Organisation | None,
    key: str,
    subject: str,
    text: str,
    path: str = "",
    urgent: bool = False,
    skip_user_id: int | None = None,
) -> Alert | None:
    """Record the event ``key`` and who is to be told; None when it was told before. Texts and
    emails due at once go after the commit."""
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                key=key,
                kind=kind,
                organisation=organisation,
                subject=subject,
                text=text,
                path=path,
                urgent=urgent,
            )
    except IntegrityError:
        return None  # told already (or being told by a concurrent caller)
    rows = []
    for user in alert_recipients(kind=kind, organisation=organisation, skip_user_id=skip_user_id):
        rows += _deliveries_for(alert=alert, user=user)
    AlertDelivery.objects.bulk_create(rows)
    if any(row.timing == Timing.NOW for row in rows):
        transaction.on_commit(partial(_send_soon))
    return alert


def _send_soon() -> None:
    from django_q.tasks import async_task

    from core.broker import broker_shared

    if settings.SMS_TASKS_SYNC:
        alerts_send_due()
    else:
        async_task("operations.tasks.alerts_send_due", task_name="alerts_send_due", broker=broker_shared())


# --- sending --------------------------------------------------------------------------------------


def _link(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path if path else settings.PUBLIC_BASE_URL + "/"


def _claim(ids: list[int], *, now: datetime) -> list[int]:
    """Of ``ids``, those this caller claimed (unclaimed, or claimed by a worker that died)."""
    claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM)
    claimed = []
    for pk in ids:
        if AlertDelivery.objects.filter(claimable, pk=pk, sent_at__isnull=True).update(claimed_at=now):
            claimed.append(pk)
    return claimed


def _deliver(
    *, user, channel: str, subject: str, text: str, link: str, dedupe_key: str, urgent: bool
) -> None:
    """An email says it all; a text says what and where (one or two segments)."""
    if channel == Channel.EMAIL:
        send_mail(subject, f"{text}\n\n{link}", None, [user.email])
        return
    message_queue(
        to=user.alert_settings.phone,
        body=f"{settings.SMS_SENDER_NAME}: {subject}. {link}",
        dedupe_key=dedupe_key,
        purpose="staff_alert",
        urgent=urgent,
    )


def _mark(pk: int, *, error: str = "") -> None:
    if error:
        AlertDelivery.objects.filter(pk=pk).update(claimed_at=None, error=error[:300])
    else:
        AlertDelivery.objects.filter(pk=pk).update(sent_at=timezone.now(), error="")


def alerts_send_due(*, now: datetime | None = None) -> int:
    """Send every alert due at once that is not sent yet; run after each alert and every minute."""
    now = now or timezone.now()
    due = list(
        AlertDelivery.objects.filter(timing=Timing.NOW, sent_at__isnull=True).values_list("pk", flat=True)[
            :500
        ]
    )
    sent = 0
    for delivery in AlertDelivery.objects.filter(pk__in=_claim(due, now=now)).select_related(
        "alert", "user", "user__alert_settings"
    ):
        alert = delivery.alert
        try:
            _deliver(
                user=delivery.user,
                channel=delivery.channel,
                subject=alert.subject,
                text=alert.text,
                link=_link(alert.path),
                dedupe_key=f"alert:{delivery.pk}",
                urgent=alert.urgent,
            )
        except Exception as exc:  # an SMTP server down: tried again by the next run
            _mark(delivery.pk, error=f"{type(exc).__name__}: {exc}")
            continue
        _mark(delivery.pk)
        sent += 1
    return sent


def alert_digests_send(*, now: datetime | None = None) -> int:
    """The daily summary, at ALERT_DIGEST_HOUR (Europe/London): one message per person and channel
    listing what they chose to hear of once a day. The job runs hourly; other hours do nothing."""
    now = now or timezone.now()
    if timezone.localtime(now).hour != settings.ALERT_DIGEST_HOUR:
        return 0
    pending = AlertDelivery.objects.filter(timing=Timing.DIGEST, sent_at__isnull=True)
    groups: dict[tuple[int, str], list[int]] = {}
    for pk, user_id, channel in pending.values_list("pk", "user_id", "channel"):
        groups.setdefault((user_id, channel), []).append(pk)
    sent = 0
    for (_, channel), ids in groups.items():
        claimed = _claim(ids, now=now)
        rows = list(
            AlertDelivery.objects.filter(pk__in=claimed).select_related(
                "alert", "user", "user__alert_settings"
            )
        )
        if not rows:
            continue
        lines = [f"- {row.alert.subject}: {_link(row.alert.path)}" for row in rows]
        try:
            _deliver(
                user=rows[0].user,
                channel=channel,
                subject=f"{len(rows)} thing{'s' if len(rows) != 1 else ''} to look at in Rekindle",
                text="Since the last summary:\n" + "\n".join(lines),
                link=_link(reverse("dashboard")),
                dedupe_key=f"alert-digest:{rows[0].user_id}:{channel}:{timezone.localdate(now).isoformat()}",
                urgent=False,
            )
        except Exception as exc:
            for row in rows:
                _mark(row.pk, error=f"{type(exc).__name__}: {exc}")
            continue
        AlertDelivery.objects.filter(pk__in=[row.pk for row in rows]).update(sent_at=now, error="")
        sent += 1
    return sent


def needs_waiting_alert(*, now: datetime | None = None) -> int:
    """Tell coordinators about each need still without a volunteer after NEEDS_RECONFIRM_AFTER_HOURS
    (once per need); run hourly."""
    from needs.selectors import needs_to_reconfirm

    raised = 0
    waiting = needs_to_reconfirm(organisations=Organisation.objects.all()).select_related(
        "organisation", "local_authority"
    )
    for need in waiting[:500]:
        alert = alert_raise(
            kind=AlertKind.NEED_WAITING,
            organisation=need.organisation,
            key=f"need.waiting:{need.pk}:{(need.reconfirmed_at or need.created_at).isoformat()}",
            **_need_waiting(need),
        )
        raised += alert is not None
    return raised


# --- each person's choices -------------------------------------------------------------------------


def alert_settings_for(*, user) -> AlertSettings:
    """The person's choices (not saved until they change something)."""
    return AlertSettings.objects.filter(user=user).first() or AlertSettings(user=user)


def alert_settings_update(*, user, phone: str, choices: dict[str, dict[str, str]]) -> AlertSettings:
    """Save how ``user`` wants to hear of each kind of alert (``choices[kind][channel]`` is a
    Timing), and the phone for texts (E.164, already checked)."""
    known = {
        kind: {
            channel: str(Timing(choices[kind][channel]))
            for channel in Channel
            if channel in choices.get(kind, {})
        }
        for kind in AlertKind
        if kind in choices
    }
    row, _ = AlertSettings.objects.update_or_create(user=user, defaults={"phone": phone, "choices": known})
    return row


def alerts_recent_for(*, user, limit: int = 20) -> list[AlertDelivery]:
    return list(
        AlertDelivery.objects.filter(user=user)
        .select_related("alert")
        .order_by("-alert__created_at", "channel")[:limit]
    )
