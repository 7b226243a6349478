"""The coordinators' inbox: texts nobody's command grammar understood, for a person to read.

In a crisis "help" may mean "I need help", so every such text is shown to a person, who can reply
(through ``message_queue``, like every other text) and mark it dealt with. Numbers are shown
masked: replying does not need the number, and the number is personal data.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from messaging.models import InboundMessage
from messaging.services import message_queue
from volunteers.permissions import COORDINATOR, is_superuser, organisation_ids_for
from volunteers.phones import phone_mask
from volunteers.services import audit_record

REPLY_MAX = 480  # three SMS segments at most


class ReplyForm(forms.Form):
    body = forms.CharField(label="Your reply", max_length=REPLY_MAX, widget=forms.Textarea(attrs={"rows": 3}))


def may_use_inbox(user) -> bool:
    """The inbox is for coordinators (of any organisation): they are the people who act on texts."""
    return is_superuser(user) or bool(organisation_ids_for(user=user, roles={COORDINATOR}))


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if not may_use_inbox(request.user):
        raise PermissionDenied("The inbox is for coordinators.")
    waiting = list(
        InboundMessage.objects.filter(needs_attention=True, resolved_at__isnull=True)
        .select_related("volunteer")
        .order_by("received_at")[:200]
    )
    recent = list(
        InboundMessage.objects.filter(needs_attention=True, resolved_at__isnull=False)
        .select_related("volunteer", "resolved_by")
        .order_by("-resolved_at")[:20]
    )
    for message in waiting + recent:
        message.masked = phone_mask(message.from_number)
    return render(request, "messaging/inbox.html", {"waiting": waiting, "recent": recent, "max": REPLY_MAX})


@login_required
@require_POST
def inbox_reply(request: HttpRequest, pk: int) -> HttpResponse:
    if not may_use_inbox(request.user):
        raise PermissionDenied("The inbox is for coordinators.")
    message = get_object_or_404(InboundMessage, pk=pk, needs_attention=True)
    form = ReplyForm(request.POST)
    send = request.POST.get("action") != "resolve"
    if send and not form.is_valid():
        messages.error(
            request, f"Please write a reply of up to {REPLY_MAX} characters, or mark it dealt with."
        )
        return redirect("inbox")
    now = timezone.now()
    with transaction.atomic():
        # Claim it: only the first person to answer sends; a second click or colleague does not.
        claimed = InboundMessage.objects.filter(pk=message.pk, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=request.user
        )
        if not claimed:
            messages.info(request, "Someone has already dealt with that message.")
            return redirect("inbox")
        queued = None
        if send:
            queued = message_queue(
                to=message.from_number,
                body=form.cleaned_data["body"].strip(),
                dedupe_key=f"inbox-reply:{message.pk}",
                purpose="inbox_reply",
                volunteer=message.volunteer,
            )
        audit_record(
            actor=request.user,
            action="inbox.reply" if send else "inbox.resolve",
            target=message,
            detail={"sent": bool(queued)},
        )
    if send and queued is None:
        messages.info(request, "Marked dealt with. No reply was sent: that number has opted out (STOP).")
    elif send:
        messages.success(request, "Reply sent and the message is marked dealt with.")
    else:
        messages.success(request, "Marked dealt with.")
    return redirect("inbox")
