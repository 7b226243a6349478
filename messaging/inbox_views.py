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
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from messaging import inbox as inbox_services
from messaging.encoding import UCS2, sms_normalise, sms_segments
from messaging.inbox import InboxAnswer
from messaging.permissions import has_inbox
from messaging.phone_recordings import RecordingUnavailable, recording_stream
from messaging.selectors import inbox_call_for, inbox_entry_for, inbox_sections_for
from volunteers.permissions import COORDINATOR, organisation_ids_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

REPLY_MAX = 480  # characters: three GSM-7 segments' worth; the segment count below decides
REPLY_MAX_SEGMENTS = 3
TOO_LONG_MARK = "text messages joined on the phone"  # each is billed
REPLY_HINT = (
    f"Up to {REPLY_MAX_SEGMENTS} text segments: about {REPLY_MAX_SEGMENTS * 153} characters in plain "
    f"letters, or {REPLY_MAX_SEGMENTS * 67} when the reply has letters such as ł, ü in Urdu or "
    "Punjabi script, or emoji (each segment is billed)."
)

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

    def __init__(self, *args, sender: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sender = sender  # the reply goes as "Brum Aid: ...": the name costs room too

    def clean_body(self) -> str:
        """At most REPLY_MAX_SEGMENTS segments as it will really go: letters outside GSM-7 make
        the whole reply UCS-2 (67 characters a segment), and they are kept, never stripped."""
        body = self.cleaned_data["body"]
        text = sms_normalise(body).strip()
        info = sms_segments(f"{self.sender}: {text}" if self.sender else text)
        if info.segments > REPLY_MAX_SEGMENTS:
            if info.encoding == UCS2:
                why = "letters such as ł or ü, or emoji, fit 67 to a message instead of 153"
            else:
                why = "153 to a message"
            raise forms.ValidationError(
                f"That reply would go as {info.segments} {TOO_LONG_MARK} ({info.length} characters: {why}). "
                f"Please keep it to {REPLY_MAX_SEGMENTS}."
            )
        return body


def may_use_inbox(user: User | AnonymousUser) -> TypeGuard[User]:
    """Whether ``user`` has an inbox to read (the menu's rule and the page's)."""
    return has_inbox(user=user)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if not may_use_inbox(request.user):
        raise PermissionDenied("The inbox is for the coordinators of an organisation.")
    sections = inbox_sections_for(user=request.user)
    inbox_services.inbox_read_record(user=request.user, sections=sections)
    context = {
        "sections": sections,
        "max": REPLY_MAX,
        "hint": REPLY_HINT,
        # "Start a need from this text" for those who post needs: the coordinators.
        "can_post": bool(organisation_ids_for(user=request.user, roles={COORDINATOR})),
    }
    return render(request, "messaging/inbox.html", context)


@login_required
@require_POST
def inbox_reply(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not may_use_inbox(user):
        raise PermissionDenied("The inbox is for the coordinators of an organisation.")
    entry = inbox_entry_for(user=user, entry_id=pk)
    if entry is None:
        raise Http404("No such message in your inbox.")
    form = ReplyForm(
        request.POST, sender=entry.organisation.name if entry.organisation else settings.SMS_SENDER_NAME
    )
    send = request.POST.get("action") != "resolve"
    if send and not form.is_valid():
        problems = [str(p) for p in form.errors.get("body") or []]
        too_long = next((p for p in problems if TOO_LONG_MARK in p), "")
        messages.error(
            request,
            too_long or f"Please write a reply of up to {REPLY_MAX} characters, or mark it dealt with.",
        )
        return redirect("inbox")
    answer = inbox_services.inbox_reply(
        entry_id=entry.pk, user=user, body=form.cleaned_data["body"] if send else None
    )
    level, note = ANSWER_NOTES[answer]
    messages.add_message(request, level, note)
    return redirect("inbox")


@login_required
@require_GET
def inbox_call_recording(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A caller's message, streamed from Twilio for someone who reads the inbox it is in (audited);
    Twilio's own URL needs the account's credentials (messaging/phone_recordings.py)."""
    user = request.user
    call = inbox_call_for(user=user, call_id=pk) if may_use_inbox(user) else None
    if call is None:
        raise Http404("No such call in your inbox.")
    try:
        chunks = recording_stream(call=call)
    except RecordingUnavailable as exc:
        return HttpResponse(str(exc), status=502, content_type="text/plain; charset=utf-8")
    inbox_services.inbox_recording_heard_record(user=user, call=call)  # type: ignore[arg-type]
    response = StreamingHttpResponse(chunks, content_type="audio/mpeg")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="call-{call.pk}.mp3"'
    return response
