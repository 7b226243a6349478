"""Twilio webhooks (thin: check the signature, store, answer TwiML) and the phone simulator."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.crypto import get_random_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from messaging.inbound import inbound_receive
from messaging.selectors import conversation_for, simulator_number_known, simulator_search
from messaging.services import message_status_apply
from messaging.webhooks import request_signed, signature_compute, signature_valid
from volunteers.phones import InvalidPhone, phone_e164_possible, phone_normalise

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
INBOUND_PATH = "/sms/twilio/inbound/"


def _twiml() -> HttpResponse:
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


def inbound_process(*, path: str, params, signature: str) -> bool:
    """The signed inbound path shared by the webhook and the simulator. False: bad signature."""
    if not signature_valid(path=path, params=params, signature=signature):
        return False
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    if not sid:
        return True  # nothing to store; Twilio always sends one
    inbound_receive(
        message_sid=sid,
        from_number=params.get("From", ""),
        to_number=params.get("To", ""),
        body=params.get("Body", ""),
        opt_out_type=params.get("OptOutType", ""),
    )
    return True


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    # Handling happens in a task; the answer is an empty TwiML response at once, and any reply
    # goes out through the outbox (rate-limited, recorded, never twice).
    ok = inbound_process(
        path=request.get_full_path(),
        params=request.POST,
        signature=request.headers.get("X-Twilio-Signature", ""),
    )
    return _twiml() if ok else HttpResponseForbidden("Bad signature")


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    if not request_signed(request):
        return HttpResponseForbidden("Bad signature")
    raw_id = request.GET.get("m", "")
    message_status_apply(
        message_id=int(raw_id) if raw_id.isdigit() else None,
        provider_sid=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus") or request.POST.get("SmsStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


def simulator_allowed() -> None:
    # Only with DEBUG on: it shows any number's texts and signs texts as any number (with the real
    # Twilio token where one is set), so on a real server it would be an open door.
    if not settings.DEBUG:
        raise Http404("The phone simulator exists only in development.")


def simulator_phone(raw: str) -> tuple[str, str]:
    """(the number in E.164, "") or ("", why not). A number the service's phone check refuses is
    still taken when it is a volunteer's or has been texted: the demo seeds numbers from the
    unallocated 07700 901xxx-902xxx ranges, which no phone company has (and so no check passes)."""
    try:
        return phone_normalise(raw), ""
    except InvalidPhone as exc:
        possible = phone_e164_possible(raw)
        if possible and simulator_number_known(phone=possible):
            return possible, ""
        return "", str(exc)


def simulator(request: HttpRequest) -> HttpResponse:
    """Be a volunteer's phone: see what the number received, text back through the signed path."""
    simulator_allowed()
    raw = request.POST.get("phone") or request.GET.get("typed") or request.GET.get("phone") or ""
    phone, error = simulator_phone(raw) if raw else ("", "")
    if request.method == "POST" and phone:
        body = request.POST.get("body", "").strip()
        if body:
            params = {
                "MessageSid": "SMsim" + get_random_string(29),
                "From": phone,
                "To": settings.TWILIO_FROM_NUMBER or "+447700900000",
                "Body": body,
            }
            inbound_process(
                path=INBOUND_PATH,
                params=params,
                signature=signature_compute(path=INBOUND_PATH, params=params),
            )
            return redirect(f"{request.path}?phone={phone}")
        error = "Type a message first."
    query = request.GET.get("q", "").strip()[:60]
    context = {
        "query": query,
        "found": simulator_search(query=query),
        "phone": phone,
        "raw_phone": raw,
        "conversation": conversation_for(phone=phone) if phone else [],
        "error": error,
    }
    template = "messaging/simulator_thread.html" if request.GET.get("partial") else "messaging/simulator.html"
    return render(request, template, context)
