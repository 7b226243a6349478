"""The inbox: texts for a person to read, one inbox per organisation and the regional desk.

In a crisis "help" may mean "I need help", so every such text is shown to a person, who can reply
(through ``message_queue``, like every other text) and mark it dealt with. Each organisation that
knows the sender gets its own copy and deals with it (messaging/inbox.py); who reads which inbox
is in messaging/permissions.py. Numbers are shown masked: replying does not need the number, and
the number is personal data. Every look at the inbox is audited, with the texts it showed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from messaging import inbox as inbox_services
from messaging.inbox import InboxAnswer
from messaging.permissions import has_inbox
from messaging.selectors import inbox_entry_for, inbox_sections_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

REPLY_MAX = 480  # three SMS segments at most

# What the person is told after answering: (level, text).
ANSWER_NOTES = {
    InboxAnswer.TAKEN: (messages.INFO, "Someone has already dealt with that message."),
    InboxAnswer.OPTED_OUT: (
        messages.INFO,
        "Marked dealt with. No reply was sent: that number has opted out (STOP).",
    ),
    InboxAnswer.CANNOT_RECEIVE: (
        messages.INFO,
        "Marked dealt with. No reply was sent: the sender is not a phone number we can text back.",
    ),
    InboxAnswer.SENT: (messages.SUCCESS, "Reply sent and the message is marked dealt with."),
    InboxAnswer.RESOLVED: (messages.SUCCESS, "Marked dealt with."),
}


class ReplyForm(forms.Form):
    body = forms.CharField(label="Your reply", max_length=REPLY_MAX, widget=forms.Textarea(attrs={"rows": 3}))


def may_use_inbox(user: User | AnonymousUser) -> TypeGuard[User]:
    """Whether ``user`` has an inbox to read (the menu's rule and the page's)."""
    return has_inbox(user=user)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if not may_use_inbox(request.user):
        raise PermissionDenied("The inbox is for the coordinators of an organisation.")
    sections = inbox_sections_for(user=request.user)
    inbox_services.inbox_read_record(user=request.user, sections=sections)
    return render(request, "messaging/inbox.html", {"sections": sections, "max": REPLY_MAX})


@login_required
@require_POST
def inbox_reply(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not may_use_inbox(user):
        raise PermissionDenied("The inbox is for the coordinators of an organisation.")
    entry = inbox_entry_for(user=user, entry_id=pk)
    if entry is None:
        raise Http404("No such message in your inbox.")
    form = ReplyForm(request.POST)
    send = request.POST.get("action") != "resolve"
    if send and not form.is_valid():
        messages.error(
            request, f"Please write a reply of up to {REPLY_MAX} characters, or mark it dealt with."
        )
        return redirect("inbox")
    answer = inbox_services.inbox_reply(
        entry_id=entry.pk, user=user, body=form.cleaned_data["body"] if send else None
    )
    level, note = ANSWER_NOTES[answer]
    messages.add_message(request, level, note)
    return redirect("inbox")
