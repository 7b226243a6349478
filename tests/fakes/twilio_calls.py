"""The Calls API of the local Twilio server (tests/fakes/twilio_server.py mixes it in).

    POST /2010-04-01/Accounts/{sid}/Calls.json         create: To, From, Url or Twiml, StatusCallback,
                                                       StatusCallbackEvent (repeated), MachineDetection...
    GET  /2010-04-01/Accounts/{sid}/Calls/{CA}.json    fetch
    POST /2010-04-01/Accounts/{sid}/Calls/{CA}.json    update (Status=completed|canceled, Url, Twiml)
    GET  /2010-04-01/Accounts/{sid}/Calls.json         list (To=, Status=)

A created call only waits ("queued"): the test walks it with tests/fakes/call_walker.py, which
fetches its Url and fires its status callbacks. Faults, for the next creates:

    server.fail_next_call("500")        # "429", "500", "hang", "drop", or a Twilio code (21215 ...):
                                        # the API answers with the error (hang: created, answer late)
    server.fail_next_call("busy")       # "busy", "no-answer", "failed": created (201, queued), and the
                                        # walker's ring() then ends it so, with its status callback
"""

from __future__ import annotations

import re
import time
import urllib.parse
from datetime import UTC, datetime
from email.utils import format_datetime

CALLS = re.compile(r"^/2010-04-01/Accounts/(?P<acct>[^/]+)/Calls\.json$")
CALL = re.compile(r"^/2010-04-01/Accounts/(?P<acct>[^/]+)/Calls/(?P<sid>[^/]+)\.json$")
OUTCOMES = ("busy", "no-answer", "failed")

CALL_ERROR_TEXT = {
    13223: "Dial: Invalid phone number format",
    21201: "No 'To' number is specified",
    21205: "Url parameter is required.",
    21210: "'From' phone number not verified",
    21211: "Invalid 'To' Phone Number",
    21213: "No 'From' number is specified",
    21215: "Geo Permission configuration is not permitting call",
    21216: "Call blocked by Twilio blocklist",
    21217: "Phone number does not appear to be valid",
    20429: "Too Many Requests",
}


class CallsApi:
    """Mixed into FakeTwilio, which provides _lock, _ids, requests, _reply and _error."""

    def fail_next_call(self, kind, count: int = 1) -> None:
        with self._lock:  # type: ignore[attr-defined]
            self._call_faults.extend([kind] * count)  # type: ignore[attr-defined]

    def calls_created(self) -> list[dict]:
        with self._lock:  # type: ignore[attr-defined]
            return list(self.calls.values())  # type: ignore[attr-defined]

    def call_creates(self) -> list:
        """Every POST to Calls.json (an answered error included): how often the app dialled."""
        with self._lock:  # type: ignore[attr-defined]
            return [r for r in self.requests if r.method == "POST" and CALLS.match(r.path)]  # type: ignore[attr-defined]

    def call_set(self, sid: str, **changes) -> dict:
        """Change a call's state (the walker does, as the network would); returns the call."""
        with self._lock:  # type: ignore[attr-defined]
            call = self.calls[sid]  # type: ignore[attr-defined]
            call.update(changes)
            call["date_updated"] = format_datetime(datetime.now(UTC), usegmt=True)
            return call

    # --- the API ---------------------------------------------------------------------------------
    def _calls_route(self, h, method: str, path: str, query: str, raw: str) -> bool:
        """Answer a Calls request; False when the path is not one."""
        multi = urllib.parse.parse_qs(raw, keep_blank_values=True)
        form = {k: v[-1] for k, v in multi.items()}
        if method == "POST" and (m := CALLS.match(path)):
            self._call_create(h, m["acct"], form, multi.get("StatusCallbackEvent", []))
            return True
        if m := CALL.match(path):
            with self._lock:  # type: ignore[attr-defined]
                call = self.calls.get(m["sid"])  # type: ignore[attr-defined]
            if call is None:
                self._error(h, 404, 20404, "The requested resource was not found")  # type: ignore[attr-defined]
            elif method == "POST":
                self._call_update(h, call, form)
            else:
                self._reply(h, 200, _public(call))  # type: ignore[attr-defined]
            return True
        if method == "GET" and CALLS.match(path):
            q = dict(urllib.parse.parse_qsl(query))
            with self._lock:  # type: ignore[attr-defined]
                found = [
                    _public(c)
                    for c in self.calls.values()  # type: ignore[attr-defined]
                    if (not q.get("To") or c["to"] == q["To"])
                    and (not q.get("Status") or c["status"] == q["Status"])
                ]
            page = {"calls": found, "next_page_uri": None, "page": 0, "page_size": 50, "uri": path}
            self._reply(h, 200, page)  # type: ignore[attr-defined]
            return True
        return False

    def _call_fault(self, h):
        with self._lock:  # type: ignore[attr-defined]
            fault = self._call_faults.pop(0) if self._call_faults else None  # type: ignore[attr-defined]
        if fault == "429":
            self._error(h, 429, 20429, "Too Many Requests")  # type: ignore[attr-defined]
            return True, None
        if fault == "500":
            self._error(h, 500, None, "Internal Server Error")  # type: ignore[attr-defined]
            return True, None
        if fault == "drop":
            h.close_connection = True
            h.connection.close()
            return True, None
        if isinstance(fault, int):
            self._error(h, 400, fault, CALL_ERROR_TEXT.get(fault, "Error"))  # type: ignore[attr-defined]
            return True, None
        return False, fault

    def _call_create(self, h, acct: str, form: dict, events: list[str]) -> None:
        answered, fault = self._call_fault(h)
        if answered:
            return
        for name, code in (("To", 21201), ("From", 21213)):
            if not form.get(name):
                return self._error(h, 400, code, CALL_ERROR_TEXT[code])  # type: ignore[attr-defined]
        if not form.get("Url") and not form.get("Twiml") and not form.get("ApplicationSid"):
            return self._error(h, 400, 21205, CALL_ERROR_TEXT[21205])  # type: ignore[attr-defined]
        now = datetime.now(UTC)
        sid = f"CA{next(self._ids):032x}"  # type: ignore[attr-defined]
        call = _call_row(acct, sid, form, now)
        call.update(
            _url=form.get("Url", ""),
            _twiml=form.get("Twiml", ""),
            _callback=form.get("StatusCallback", ""),
            _events=[e for item in events for e in item.split()],
            _machine_detection=form.get("MachineDetection", ""),
            _outcome=fault if fault in OUTCOMES else "",
            _created=now,
            _form=form,
        )
        with self._lock:  # type: ignore[attr-defined]
            self.calls[sid] = call  # type: ignore[attr-defined]
        if fault == "hang":
            time.sleep(self.hang_seconds)  # type: ignore[attr-defined]
        self._reply(h, 201, _public(call))  # type: ignore[attr-defined]
        return None

    def _call_update(self, h, call: dict, form: dict) -> None:
        status = form.get("Status", "")
        if status in ("completed", "canceled"):  # a call not yet answered is canceled, as Twilio does
            call["status"] = "canceled" if call["status"] in ("queued", "ringing") else "completed"
        if form.get("Url"):
            call["_url"] = form["Url"]
        if form.get("Twiml"):
            call["_twiml"] = form["Twiml"]
        self._reply(h, 200, _public(call))  # type: ignore[attr-defined]


def _call_row(acct: str, sid: str, form: dict, now: datetime) -> dict:
    stamp = format_datetime(now, usegmt=True)
    return {
        "sid": sid,
        "account_sid": acct,
        "to": form["To"],
        "to_formatted": form["To"],
        "from": form["From"],
        "from_formatted": form["From"],
        "status": "queued",
        "direction": "outbound-api",
        "answered_by": None,
        "api_version": "2010-04-01",
        "caller_name": None,
        "date_created": stamp,
        "date_updated": stamp,
        "start_time": None,
        "end_time": None,
        "duration": None,
        "price": None,
        "price_unit": "USD",
        "parent_call_sid": None,
        "phone_number_sid": None,
        "forwarded_from": None,
        "group_sid": None,
        "queue_time": "0",
        "trunk_sid": None,
        "annotation": None,
        "uri": f"/2010-04-01/Accounts/{acct}/Calls/{sid}.json",
        "subresource_uris": {},
    }


def _public(call: dict) -> dict:
    return {k: v for k, v in call.items() if not k.startswith("_")}
