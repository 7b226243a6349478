"""Walk a phone call through the app as Twilio would: fetch the call's TwiML with a signed POST, say
what it says, wait at a <Gather> or <Record> for the test to press keys or "record", follow
<Redirect> and actions, and fire signed status callbacks. The TwiML is read by voice/twiml_read.py.

Entry points (``sid`` is a CallSid):

    walker = CallWalker(server)                           # HTTP (a live server) ...
    walker = CallWalker(server, post=django_post(client, around=lambda: capture(execute=True)))
                                                          # ... or Django's test client, in-process

    # a call the app placed through the Calls API (server.calls_created()):
    call = walker.answer(sid)                  # initiated, ringing, answered; fetches Url; says it
    call = walker.answer(sid, machine=True)    # answered by a machine (AnsweredBy=machine_end_beep)
    call = walker.ring(sid)                    # as answer(), but a call the server was told to fail
                                               # (server.fail_next_call("busy"|"no-answer"|"failed"))
                                               # ends so, with its status callback
    call = walker.fail(sid, "busy")            # end a queued call as busy / no-answer / failed

    # a call to the service (the phone line):
    call = walker.call_in("/voice/twilio/inbound/", from_="+447700900123", to="+447700900000")

    # then, on either:
    walker.press(sid, "1")                     # POST Digits to the waiting <Gather>'s action
    walker.silence(sid)                        # the <Gather> times out: the next verbs run
    walker.record(sid, url=..., duration=12)   # POST RecordingUrl/RecordingSid/RecordingDuration to the
                                               # waiting <Record>'s action, then its status callback
    walker.hang_up(sid)                        # the person hangs up: "completed" with CallDuration
    walker.status_fire(sid, "completed", CallDuration="30")   # any status callback, e.g. a replay
    call.said                                  # every sentence heard, in order
    call.waiting                               # the Gather/Record waiting now, or None
    call.dialled, call.status, call.last_status (the app's last HTTP answer), call.ended

Every request is signed with the server's auth token (``token=`` on a method forges another one).
Relative URLs in the TwiML resolve against the document's URL; a path given to ``call_in`` is
joined to ``base_url`` (the live server's URL, or PUBLIC_BASE_URL for the test client).
"""

from __future__ import annotations

import contextlib
import itertools
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from twilio.request_validator import RequestValidator

from voice.twiml_read import Dial, Gather, Hangup, Pause, Play, Record, Redirect, Reject, Say, twiml_read

Poster = Callable[[str, dict, str], tuple[int, str]]  # (url, params, signature) -> (status, body)
APPLICATION_ERROR = "We are sorry, an application error has occurred. Goodbye."
_inbound_ids = itertools.count(1)


def http_post(url: str, params: dict, signature: str) -> tuple[int, str]:
    data = urllib.parse.urlencode(params).encode()
    req = urllib.request.Request(url, data=data, headers={"X-Twilio-Signature": signature})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=15) as resp:  # noqa: S310
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def django_post(client, *, around: Callable[[], contextlib.AbstractContextManager] | None = None) -> Poster:
    """Post with Django's test client (the URL's path only), inside ``around()`` when given, e.g.
    pytest-django's ``django_capture_on_commit_callbacks(execute=True)`` so on_commit work runs."""

    def post(url: str, params: dict, signature: str) -> tuple[int, str]:
        parts = urllib.parse.urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        with around() if around else contextlib.nullcontext():
            response = client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)
        return response.status_code, response.content.decode()

    return post


@dataclass
class WalkedCall:
    sid: str
    from_: str
    to: str
    direction: str
    url: str = ""  # the document being followed
    status: str = "queued"
    answered_by: str = ""
    callback: str = ""
    events: list[str] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    dialled: list[str] = field(default_factory=list)
    waiting: Gather | Record | None = None
    pending: list = field(default_factory=list)  # the verbs after the one waiting
    last_status: int = 0
    ended: bool = False
    started: float = 0.0
    sequence: int = 0


@dataclass
class CallWalker:
    server: object  # tests.fakes.twilio_server.FakeTwilio
    post: Poster = http_post
    base_url: str = ""
    dial_outcome: str = "completed"  # DialCallStatus posted to a <Dial action=...>
    walked: dict[str, WalkedCall] = field(default_factory=dict)

    # --- calls placed by the app ------------------------------------------------------------------
    def _outbound(self, sid: str) -> WalkedCall:
        if sid not in self.walked:
            row = self.server.calls[sid]  # type: ignore[attr-defined]
            self.walked[sid] = WalkedCall(
                sid=sid,
                from_=row["from"],
                to=row["to"],
                direction="outbound-api",
                url=row["_url"],
                callback=row["_callback"],
                events=list(row["_events"]),
            )
        return self.walked[sid]

    def ring(self, sid: str, *, machine: bool = False, token: str | None = None) -> WalkedCall:
        call = self._outbound(sid)
        row = self.server.calls[sid]  # type: ignore[attr-defined]
        self._event(call, "initiated", "initiated", token)
        self._event(call, "ringing", "ringing", token)
        if row["_outcome"]:
            return self.fail(sid, row["_outcome"], token=token)
        if row["_machine_detection"]:
            call.answered_by = "machine_end_beep" if machine else "human"
        call.started = time.monotonic()
        self._set(call, "in-progress", start_time=_now(), answered_by=call.answered_by or None)
        self._event(call, "answered", "in-progress", token)
        if row["_twiml"]:
            return self._follow(call, row["_twiml"], call.url, token)
        return self._fetch(call, call.url, {}, token)

    def answer(self, sid: str, *, machine: bool = False, token: str | None = None) -> WalkedCall:
        return self.ring(sid, machine=machine, token=token)

    def fail(self, sid: str, outcome: str, *, token: str | None = None) -> WalkedCall:
        assert outcome in ("busy", "no-answer", "failed", "canceled"), outcome
        call = self._outbound(sid)
        self._set(call, outcome)
        call.ended = True
        self.status_fire(sid, outcome, token=token, CallDuration="0")
        return call

    # --- calls to the app -------------------------------------------------------------------------
    def call_in(
        self, url: str, *, from_: str, to: str, status_callback: str = "", token: str | None = None
    ) -> WalkedCall:
        sid = f"CAin{next(_inbound_ids):030d}"
        url = urllib.parse.urljoin(self.base_url, url) if self.base_url else url
        call = WalkedCall(sid=sid, from_=from_, to=to, direction="inbound", url=url, callback=status_callback)
        call.events = ["completed"]
        call.started = time.monotonic()
        call.status = "ringing"
        self.walked[sid] = call
        return self._fetch(call, url, {}, token)

    # --- during a call ----------------------------------------------------------------------------
    def press(self, sid: str, digits: str, *, token: str | None = None) -> WalkedCall:
        call = self.walked[sid]
        assert isinstance(call.waiting, Gather), f"nothing is waiting for keys on {sid}: {call.said[-1:]}"
        gather, call.waiting, call.pending = call.waiting, None, []
        return self._fetch(call, gather.action or call.url, {"Digits": digits, "FinishedOnKey": ""}, token)

    def silence(self, sid: str, *, token: str | None = None) -> WalkedCall:
        call = self.walked[sid]
        assert isinstance(call.waiting, Gather), f"nothing is waiting for keys on {sid}"
        rest, call.waiting, call.pending = call.pending, None, []
        return self._run(call, rest, token)

    def record(
        self,
        sid: str,
        *,
        url: str = "",
        duration: int = 10,
        recording_sid: str = "",
        token: str | None = None,
    ) -> WalkedCall:
        call = self.walked[sid]
        assert isinstance(call.waiting, Record), f"nothing is recording on {sid}"
        record, call.waiting, call.pending = call.waiting, None, []
        rsid = recording_sid or f"RE{sid[2:]}"
        params = {
            "RecordingUrl": url or f"https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/{rsid}",
            "RecordingSid": rsid,
            "RecordingDuration": str(duration),
            "Digits": "hangup",
        }
        self._fetch(call, record.action or call.url, params, token)
        if record.recording_status_callback:
            extra = {
                **params,
                "RecordingStatus": "completed",
                "RecordingChannels": "1",
                "RecordingSource": "RecordVerb",
            }
            extra.pop("Digits")
            call.last_status = self._signed(
                record.recording_status_callback, self._params(call, extra), token
            )[0]
        return call

    def hang_up(self, sid: str, *, token: str | None = None) -> WalkedCall:
        call = self.walked[sid]
        if not call.ended:
            self._end(call, token)
        return call

    def status_fire(self, sid: str, status: str, *, token: str | None = None, **extra) -> int:
        """A status callback for ``sid`` as Twilio sends it; replays allowed. Returns the HTTP status."""
        call = self.walked.get(sid) or self._outbound(sid)
        if not call.callback:
            return 0
        call.sequence += 1
        params = self._params(
            call,
            {
                "CallStatus": status,
                "CallbackSource": "call-progress-events",
                "SequenceNumber": str(call.sequence - 1),
                "Timestamp": _now(),
                **extra,
            },
        )
        call.last_status = self._signed(call.callback, params, token)[0]
        return call.last_status

    # --- the machinery ----------------------------------------------------------------------------
    def _params(self, call: WalkedCall, extra: dict) -> dict:
        params = {
            "CallSid": call.sid,
            "AccountSid": self.server.account_sid,  # type: ignore[attr-defined]
            "From": call.from_,
            "To": call.to,
            "Caller": call.from_,
            "Called": call.to,
            "CallStatus": call.status,
            "Direction": call.direction,
            "ApiVersion": "2010-04-01",
        }
        if call.answered_by:
            params["AnsweredBy"] = call.answered_by
        params.update(extra)
        return params

    def _signed(self, url: str, params: dict, token: str | None) -> tuple[int, str]:
        signing = token or self.server.callback_token or self.server.auth_token  # type: ignore[attr-defined]
        return self.post(url, params, RequestValidator(signing).compute_signature(url, params))

    def _event(self, call: WalkedCall, event: str, status: str, token: str | None) -> None:
        if status != "in-progress":
            self._set(call, status)
        if event in call.events:
            self.status_fire(call.sid, status, token=token)

    def _set(self, call: WalkedCall, status: str, **row) -> None:
        call.status = status
        if call.sid in self.server.calls:  # type: ignore[attr-defined]
            self.server.call_set(call.sid, status=status, **row)  # type: ignore[attr-defined]

    def _fetch(self, call: WalkedCall, url: str, extra: dict, token: str | None) -> WalkedCall:
        params = self._params(call, extra)  # an inbound call's first fetch says "ringing", as Twilio's
        if call.status == "ringing" and call.direction == "inbound":
            call.status = "in-progress"
        status, body = self._signed(url, params, token)
        call.last_status = status
        if status != 200:
            call.said.append(APPLICATION_ERROR)
            return self._end(call, token)
        call.url = url
        return self._follow(call, body, url, token)

    def _follow(self, call: WalkedCall, xml: str, url: str, token: str | None) -> WalkedCall:
        return self._run(call, twiml_read(xml, base_url=url), token)

    def _run(self, call: WalkedCall, steps: list, token: str | None) -> WalkedCall:
        for n, step in enumerate(steps):
            if isinstance(step, Say):
                call.said.extend([step.text] * max(step.loop, 1))
            elif isinstance(step, Play | Pause):
                continue
            elif isinstance(step, Gather):
                call.said.extend(s.text for s in step.steps if isinstance(s, Say))
                call.waiting, call.pending = step, list(steps[n + 1 :])
                return call
            elif isinstance(step, Record):
                call.waiting, call.pending = step, list(steps[n + 1 :])
                return call
            elif isinstance(step, Dial):
                call.dialled.append(step.number)
                if step.action:
                    return self._fetch(call, step.action, {"DialCallStatus": self.dial_outcome}, token)
            elif isinstance(step, Redirect):
                return self._fetch(call, step.url, {}, token)
            elif isinstance(step, Hangup | Reject):
                break
        return self._end(call, token)

    def _end(self, call: WalkedCall, token: str | None) -> WalkedCall:
        call.waiting, call.pending, call.ended = None, [], True
        seconds = int(time.monotonic() - call.started) if call.started else 0
        self._set(call, "completed", end_time=_now(), duration=str(seconds))
        self.status_fire(call.sid, "completed", token=token, CallDuration=str(seconds))
        return call


def _now() -> str:
    from email.utils import formatdate

    return formatdate(usegmt=True)
