"""The phone simulator takes a call (DEBUG only): "Call the service" rings the requests line as
Twilio would, through the same signed webhooks, and shows what is said; the keys are buttons, a
recording is typed in place of speech, and the call can be hung up at any moment. Calls the
service places to volunteers (offers, campaigns) while texts go to the console ring here too, and
"Answer" plays the volunteer's side of them.

Each step posts a signed request to the line's own view, in this process (no network), reads the
TwiML it answers with voice/twiml_read.py and runs it until it waits for the caller: a <Gather>
(keys, or words), a <Record> (a message), a <Dial> (the duty coordinator answers, or nobody
does). The call's state is kept in the session: the TwiML being followed and where it waits.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import resolve

from messaging.phone_twiml import ENDED_PATH, INBOUND_PATH
from messaging.views import simulator_allowed, simulator_phone
from messaging.webhooks import signature_compute
from voice.calling import call_urls
from voice.selectors import calls_ringing_here
from voice.twiml_read import Dial, Gather, Hangup, Record, Redirect, Reject, Say, TwimlError, twiml_read

SESSION_KEY = "simulator_call"
KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"]
WORDS_PER_SECOND = 2.5  # how long a typed message would take to say


@dataclass
class SimulatedCall:
    sid: str
    phone: str
    started: float
    url: str = ""  # the path whose TwiML is being followed
    xml: str = ""
    at: int = 0  # the step of ``xml`` waiting for the caller
    lines: list[tuple[str, str]] = field(default_factory=list)  # (who: service/caller/note, words)
    ended: bool = False
    outbound: bool = False  # a call the service placed to a volunteer, answered here
    status_path: str = ""  # where its end is reported (the outbound call's status callback)

    def waiting(self):
        """The Gather, Record or Dial waiting for the caller, or None."""
        if self.ended or not self.xml:
            return None
        steps = twiml_read(self.xml)
        return steps[self.at] if self.at < len(steps) else None


def _post(call: SimulatedCall, url: str, params: dict[str, str]) -> tuple[int, str]:
    """A signed POST to the line's view, as Twilio would send it, handled in this process."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    ends = (_service_number(), call.phone) if call.outbound else (call.phone, _service_number())
    signed = {
        "CallSid": call.sid,
        "From": ends[0],
        "To": ends[1],
        "Direction": "outbound-api" if call.outbound else "inbound",
        **params,
    }
    request = HttpRequest()
    request.method = "POST"
    request.path = request.path_info = parts.path
    request.META = {
        "QUERY_STRING": parts.query,
        "HTTP_X_TWILIO_SIGNATURE": signature_compute(path=path, params=signed),
        "SERVER_NAME": "simulator",
        "SERVER_PORT": "80",
    }
    request.GET = QueryDict(parts.query)
    request.POST = QueryDict(urlencode(signed))
    match = resolve(parts.path)
    response = match.func(request, *match.args, **match.kwargs)
    return response.status_code, response.content.decode()


def _service_number() -> str:
    return settings.TWILIO_FROM_NUMBER or "+447700900000"


def _fetch(call: SimulatedCall, url: str, params: dict[str, str]) -> None:
    status, body = _post(call, url, params)
    if status != 200:
        call.lines.append(
            ("note", f"The service answered with an error (HTTP {status}); Twilio would hang up.")
        )
        _end(call)
        return
    call.url, call.xml, call.at = url, body, 0
    _run(call, 0)


def _run(call: SimulatedCall, start: int) -> None:
    """Say what the TwiML says from step ``start`` until it waits for the caller or ends."""
    try:
        steps = twiml_read(call.xml)
    except TwimlError as exc:
        call.lines.append(("note", f"The service's answer could not be followed: {exc}"))
        _end(call)
        return
    for n in range(start, len(steps)):
        step = steps[n]
        if isinstance(step, Say):
            call.lines.append(("service", step.text))
        elif isinstance(step, Gather):
            call.lines += [("service", s.text) for s in step.steps if isinstance(s, Say)]
            call.at = n
            return
        elif isinstance(step, Record):
            call.lines.append(("note", "(beep) Recording: type what you would say."))
            call.at = n
            return
        elif isinstance(step, Dial):
            call.lines.append(("note", f"Ringing {step.number}..."))
            call.at = n
            return
        elif isinstance(step, Redirect):
            _fetch(call, step.url, {})
            return
        elif isinstance(step, Hangup | Reject):
            break
    _end(call)


def _end(call: SimulatedCall) -> None:
    if call.ended:
        return
    call.ended, call.xml = True, ""
    seconds = max(1, int(time.time() - call.started))
    _post(call, call.status_path or ENDED_PATH, {"CallStatus": "completed", "CallDuration": str(seconds)})
    call.lines.append(("note", f"The call ended after {seconds} seconds."))


def _press(call: SimulatedCall, gather: Gather, key: str, said: str) -> None:
    if said:
        call.lines.append(("caller", f"You said: {said}"))
        _fetch(call, gather.action or call.url, {"SpeechResult": said, "Confidence": "0.9"})
    elif key:
        call.lines.append(("caller", f"You pressed {key}."))
        _fetch(call, gather.action or call.url, {"Digits": key})
    else:
        call.lines.append(("caller", "You waited and pressed nothing."))
        _run(call, call.at + 1)


def _record(call: SimulatedCall, record: Record, said: str) -> None:
    if not said.strip():
        call.lines.append(("caller", "You said nothing."))
        _run(call, call.at + 1)
        return
    call.lines.append(("caller", f"You said: {said}"))
    seconds = max(1, round(len(said.split()) / WORDS_PER_SECOND))
    sid = "RE" + secrets.token_hex(16)
    params = {"RecordingSid": sid, "RecordingUrl": f"simulator:{sid}", "RecordingDuration": str(seconds)}
    _fetch(call, record.action or call.url, params)
    if record.recording_status_callback:
        _post(call, record.recording_status_callback, {**params, "RecordingStatus": "completed"})


def _dialled(call: SimulatedCall, dial: Dial, answered: bool) -> None:
    if answered:
        call.lines.append(("note", "The duty coordinator answered; you talked, and they hung up."))
    else:
        call.lines.append(("note", "Nobody answered."))
    if dial.action:
        _fetch(call, dial.action, {"DialCallStatus": "completed" if answered else "no-answer"})
    else:
        _run(call, call.at + 1)


def _act(call: SimulatedCall, data: QueryDict) -> None:
    """What the caller did on the page, to what the call was waiting for."""
    if data.get("action") == "hang_up":
        call.lines.append(("caller", "You hung up."))
        _end(call)
        return
    waiting = call.waiting()
    if isinstance(waiting, Gather):
        _press(call, waiting, data.get("key", ""), data.get("said", "").strip()[:300])
    elif isinstance(waiting, Record):
        _record(call, waiting, data.get("said", "")[:2000])
    elif isinstance(waiting, Dial):
        _dialled(call, waiting, data.get("action") == "answered")


def _path(url: str) -> str:
    """A webhook URL as this process routes it (PUBLIC_BASE_URL taken off)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _answer(call_id: str) -> SimulatedCall | None:
    """Answer a call the service placed to a volunteer (one still ringing here)."""
    placed = next((c for c in calls_ringing_here() if str(c.pk) == call_id), None)
    if placed is None:
        return None
    url, status_url = call_urls(placed.pk)
    call = SimulatedCall(
        sid=placed.provider_sid or "",
        phone=placed.to,
        started=time.time(),
        outbound=True,
        status_path=_path(status_url),
    )
    call.lines.append(("note", f"You answered the service's call to {placed.to}."))
    _post(call, call.status_path, {"CallStatus": "in-progress"})
    _fetch(call, _path(url), {"CallStatus": "in-progress", "AnsweredBy": "human"})
    return call


def simulator_call(request: HttpRequest) -> HttpResponse:
    """Be a caller to the requests line: start a call, press keys, leave a message, hang up."""
    simulator_allowed()
    saved: dict[str, Any] | None = request.session.get(SESSION_KEY)
    call = SimulatedCall(**{**saved, "lines": [tuple(x) for x in saved["lines"]]}) if saved else None
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "start":
            phone, error = simulator_phone(request.POST.get("phone", ""))
            if phone:
                call = SimulatedCall(sid="CAsim" + secrets.token_hex(15), phone=phone, started=time.time())
                call.lines.append(("note", f"Calling the service from {phone}..."))
                _fetch(call, INBOUND_PATH, {"CallStatus": "ringing"})
        elif request.POST.get("action") == "answer":
            call = _answer(request.POST.get("call", "")) or call
        elif call is not None:
            _act(call, request.POST)
        if call is not None:
            request.session[SESSION_KEY] = call.__dict__
        if not error:
            return redirect(request.path)
    waiting = call.waiting() if call else None
    context = {
        "call": call,
        "error": error,
        "raw_phone": request.POST.get("phone", ""),
        "gather": isinstance(waiting, Gather),
        "record": isinstance(waiting, Record),
        "dial": waiting if isinstance(waiting, Dial) else None,
        "keys": KEYS,
        "ringing": calls_ringing_here(),
    }
    return render(request, "messaging/simulator_call.html", context)
