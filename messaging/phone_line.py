"""The requests line: Twilio Voice webhooks for calls to the service's number (thin: check the
signature, store what happened through messaging/phone_calls.py, answer the TwiML that
messaging/phone_twiml.py builds).

Every request is checked against ``X-Twilio-Signature`` as the SMS webhooks are (the URL is
PUBLIC_BASE_URL + the path Twilio called, query included); a forged one gets 403 and changes
nothing. Each answers with or without the trailing slash (messaging/voice_urls.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from messaging import phone_calls, phone_twiml, phone_words
from messaging.models import InboundCall
from messaging.selectors import TextsToHear, caller_language, texts_to_hear
from messaging.webhooks import request_signed

CallView = Callable[[HttpRequest, InboundCall], HttpResponse]


def _twiml(xml: str) -> HttpResponse:
    return HttpResponse(xml, content_type="text/xml")


def twilio_call_webhook(view: CallView) -> Callable[[HttpRequest], HttpResponse]:
    """A signed Twilio Voice request about one call: 403 for a bad signature; otherwise the
    call's row (stored at the first request Twilio makes for it) is handed to ``view``."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def checked(request: HttpRequest) -> HttpResponse:
        if not request_signed(request):
            return HttpResponseForbidden("Bad signature")
        call_sid = request.POST.get("CallSid", "")
        if not call_sid:
            return HttpResponse("A call request carries a CallSid.", status=400, content_type="text/plain")
        call = phone_calls.call_receive(
            call_sid=call_sid, from_number=request.POST.get("From", ""), to_number=request.POST.get("To", "")
        )
        with translation.override(caller_language(phone=call.from_number) if call.caller_known else "en"):
            return view(request, call)

    return checked


def _hidden(call: InboundCall) -> bool:
    return not call.caller_known


def _texts(call: InboundCall) -> TextsToHear | None:
    """The caller's own recent texts from us, when their number is shown."""
    return texts_to_hear(phone=call.from_number) if call.caller_known else None


@twilio_call_webhook
def call_answer(request: HttpRequest, call: InboundCall) -> HttpResponse:
    """A call to the service's number: the greeting and the menu."""
    found = _texts(call)
    return _twiml(phone_twiml.twiml_answer(texts=bool(found and found.bodies)))


@twilio_call_webhook
def call_menu(request: HttpRequest, call: InboundCall) -> HttpResponse:
    """The key pressed at the menu (``Digits``; none when they pressed nothing)."""
    key = request.POST.get("Digits", "").strip()
    attempt = int(request.GET.get("try", "1")) if request.GET.get("try", "1").isdigit() else 1
    if key == phone_twiml.HELP_KEY:
        phone_calls.call_choice_set(call=call, choice="help")
        return _twiml(phone_twiml.twiml_message(hidden_number=_hidden(call)))
    if key == phone_twiml.DUTY_KEY and phone_twiml.duty_available():
        phone_calls.call_choice_set(call=call, choice="duty")
        if phone_twiml.duty_open(timezone.now()):
            return _twiml(phone_twiml.twiml_dial())
        return _twiml(phone_twiml.twiml_duty_closed(hidden_number=_hidden(call)))
    found = _texts(call)
    if key == phone_twiml.TEXTS_KEY and found is not None:
        return _twiml(phone_twiml.twiml_texts(found, attempt=attempt))
    if attempt < phone_twiml.MENU_TRIES:
        return _twiml(
            phone_twiml.twiml_menu_again(
                attempt=attempt + 1, unknown_key=bool(key), texts=bool(found and found.bodies)
            )
        )
    return _twiml(
        phone_twiml.twiml_message(hidden_number=_hidden(call), before=phone_words.leave_a_message())
    )


@twilio_call_webhook
def call_dialled(request: HttpRequest, call: InboundCall) -> HttpResponse:
    """The duty coordinator's phone answered, or not (``DialCallStatus``)."""
    answered = request.POST.get("DialCallStatus", "") == "completed"
    if answered:
        phone_calls.call_answered_by_duty(call=call)
    return _twiml(phone_twiml.twiml_after_dial(answered=answered, hidden_number=_hidden(call)))


@twilio_call_webhook
def call_recorded(request: HttpRequest, call: InboundCall) -> HttpResponse:
    """The message is recorded (<Record>'s action): keep it, then ask for the postcode."""
    phone_calls.call_recording_store(
        call=call,
        sid=request.POST.get("RecordingSid", ""),
        url=request.POST.get("RecordingUrl", ""),
        seconds=request.POST.get("RecordingDuration"),
    )
    return _twiml(phone_twiml.twiml_postcode())


@twilio_call_webhook
def call_postcode(request: HttpRequest, call: InboundCall) -> HttpResponse:
    """The postcode said (``SpeechResult``) or skipped: the caller has finished, so the call goes
    to the inbox now."""
    phone_calls.call_postcode_set(call=call, said=request.POST.get("SpeechResult", ""))
    phone_calls.call_route(call=call)
    return _twiml(phone_twiml.twiml_goodbye(call_back=call.caller_known))


@twilio_call_webhook
def call_recording(request: HttpRequest, call: InboundCall) -> HttpResponse:
    """``recordingStatusCallback``: the recording is ready (often after the call has ended)."""
    if request.POST.get("RecordingStatus", "completed") == "completed":
        phone_calls.call_recording_store(
            call=call,
            sid=request.POST.get("RecordingSid", ""),
            url=request.POST.get("RecordingUrl", ""),
            seconds=request.POST.get("RecordingDuration"),
        )
    return HttpResponse(status=204)


@twilio_call_webhook
def call_ended(request: HttpRequest, call: InboundCall) -> HttpResponse:
    """The number's call status callback: how the call ended; one that hung up mid-menu goes to
    the inbox as "called, left no message"."""
    phone_calls.call_end(
        call=call, status=request.POST.get("CallStatus", ""), duration=request.POST.get("CallDuration")
    )
    return HttpResponse(status=204)
