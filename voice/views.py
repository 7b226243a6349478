"""Twilio's voice webhooks for the calls this service places (thin: check the signature, call one
service, answer TwiML). The TwiML of an answered call, its keys, and its status callbacks.
Every one answers with or without the trailing slash; a bad signature gets 403 and changes nothing."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from messaging.webhooks import request_signed
from voice.call_status import call_status_apply
from voice.conversation import call_keys_answer, call_opening_answer


def _twiml(xml: str) -> HttpResponse:
    return HttpResponse(xml, content_type="text/xml")


@csrf_exempt
@require_POST
def call_answered(request: HttpRequest, call_id: int) -> HttpResponse:
    if not request_signed(request):
        return HttpResponseForbidden("Bad signature")
    return _twiml(
        call_opening_answer(
            call_id=call_id,
            call_sid=request.POST.get("CallSid", ""),
            answered_by=request.POST.get("AnsweredBy", ""),
        )
    )


@csrf_exempt
@require_POST
def call_keys(request: HttpRequest, call_id: int) -> HttpResponse:
    if not request_signed(request):
        return HttpResponseForbidden("Bad signature")
    return _twiml(
        call_keys_answer(
            call_id=call_id, call_sid=request.POST.get("CallSid", ""), digits=request.POST.get("Digits", "")
        )
    )


@csrf_exempt
@require_POST
def call_status(request: HttpRequest) -> HttpResponse:
    if not request_signed(request):
        return HttpResponseForbidden("Bad signature")
    raw_id = request.GET.get("c", "")
    call_status_apply(
        call_id=int(raw_id) if raw_id.isdigit() else None,
        call_sid=request.POST.get("CallSid", ""),
        status=request.POST.get("CallStatus", ""),
        answered_by=request.POST.get("AnsweredBy", ""),
        duration=request.POST.get("CallDuration", ""),
    )
    return HttpResponse(status=204)
