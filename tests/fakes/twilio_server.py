"""A small Twilio-compatible HTTP server for tests and benchmarks: the machine's edge, nothing more.

Speaks enough of the 2010-04-01 Messages API for the real ``twilio`` client: create (Basic auth,
form body), fetch and list, with Twilio-shaped JSON and errors. It records every request, can be
told to fail the next requests (429, 500, a hang, any Twilio error code), and can fire signed status
callbacks and inbound webhooks at the app.

    server = FakeTwilio(account_sid="AC...", auth_token="...").start()
    server.settings_point(settings)    # the real twilio client now talks to it
    server.fail_next("429")            # or "500", "hang", 21610, 21211 ... ; count=n
    server.stop()

Calls too (tests/fakes/twilio_calls.py: create, fetch, update, list; ``fail_next_call``), walked by
tests/fakes/call_walker.py.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from twilio.request_validator import RequestValidator

from tests.fakes.twilio_calls import CallsApi

_CREATE = re.compile(r"^/2010-04-01/Accounts/(?P<acct>[^/]+)/Messages\.json$")
_FETCH = re.compile(r"^/2010-04-01/Accounts/(?P<acct>[^/]+)/Messages/(?P<sid>[^/]+)\.json$")

ERROR_TEXT = {
    21211: "The 'To' number is not a valid phone number.",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number.",
    21610: "Attempt to send to unsubscribed recipient",
    21611: "This 'From' number has exceeded the maximum number of queued messages",
    21612: "The 'To' phone number is not currently reachable via SMS",
    21614: "'To' number is not a valid mobile number",
    20429: "Too Many Requests",
    30001: "Queue overflow",
}


@dataclass
class Recorded:
    method: str
    path: str
    form: dict
    at: float


@dataclass
class FakeTwilio(CallsApi):
    account_sid: str = "AC" + "0" * 32
    auth_token: str = "fake-auth-token"
    hang_seconds: float = 3.0
    auto_callbacks: bool = False  # post "sent" then "delivered" to StatusCallback after each create
    callback_token: str = ""  # the token callbacks are signed with (defaults to auth_token)
    requests: list[Recorded] = field(default_factory=list)
    messages: dict[str, dict] = field(default_factory=dict)
    calls: dict[str, dict] = field(default_factory=dict)
    _faults: list = field(default_factory=list)
    _call_faults: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # --- control ------------------------------------------------------------------------------
    def settings_point(self, settings, *, from_number: str = "+447700900000") -> None:
        """Send every text and call through the real ``twilio`` client to this server (pytest-django's
        ``settings`` fixture, or any object whose attributes are the settings)."""
        settings.SMS_BACKEND = "twilio"
        settings.TWILIO_ACCOUNT_SID = self.account_sid
        settings.TWILIO_AUTH_TOKEN = self.auth_token
        settings.TWILIO_FROM_NUMBER = from_number
        settings.TWILIO_MESSAGING_SERVICE_SID = ""
        settings.TWILIO_API_BASE_URL = self.base_url

    def start(self) -> FakeTwilio:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else delayed ACKs add 40 ms to every answer

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                fake._handle(self, "POST")

            def do_GET(self):
                fake._handle(self, "GET")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, kind, count: int = 1) -> None:
        """The next ``count`` creates fail: "429", "500", "hang" (the message IS created, the answer
        never comes in time), "drop" (the connection closes before any answer) or a Twilio code."""
        with self._lock:
            self._faults.extend([kind] * count)

    def created(self) -> list[dict]:
        with self._lock:
            return [m for m in self.messages.values()]

    def creates(self) -> list[Recorded]:
        """Every POST to Messages.json."""
        with self._lock:
            return [r for r in self.requests if r.method == "POST" and _CREATE.match(r.path)]

    # --- webhooks at the app --------------------------------------------------------------------
    def _post_signed(self, url: str, params: dict, token: str | None = None) -> int:
        sig = RequestValidator(token or self.callback_token or self.auth_token).compute_signature(url, params)
        data = urllib.parse.urlencode(params).encode()
        req = urllib.request.Request(url, data=data, headers={"X-Twilio-Signature": sig})  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def callback_fire(self, sid: str, status: str, error_code: str = "", token: str | None = None) -> int:
        message = self.messages[sid]
        message["status"] = status
        params = {
            "MessageSid": sid,
            "MessageStatus": status,
            "AccountSid": self.account_sid,
            "To": message["to"],
        }
        if error_code:
            params["ErrorCode"] = error_code
        return self._post_signed(message["_callback"], params, token)

    def inbound_send(
        self, url: str, *, from_: str, body: str, sid: str = "", token: str | None = None, **extra
    ) -> int:
        params = {
            "MessageSid": sid or f"SMin{next(self._ids):028d}",
            "AccountSid": self.account_sid,
            "From": from_,
            "To": "+447700900000",
            "Body": body,
            "NumMedia": "0",
            **extra,
        }
        return self._post_signed(url, params, token)

    # --- the API ---------------------------------------------------------------------------------
    def _reply(self, h: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _error(self, h, status: int, code: int | None, message: str) -> None:
        self._reply(
            h,
            status,
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
        )

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parsed = urllib.parse.urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length).decode() if length else ""
        form = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
        with self._lock:
            self.requests.append(Recorded(method, h.path, form, time.time()))
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if h.headers.get("Authorization") != expected:
            return self._error(h, 401, 20003, "Authenticate")
        if self._calls_route(h, method, parsed.path, parsed.query, raw):
            return None
        if method == "POST" and (m := _CREATE.match(parsed.path)):
            return self._create(h, m["acct"], form)
        if method == "GET" and (m := _FETCH.match(parsed.path)):
            with self._lock:
                message = self.messages.get(m["sid"])
            if message is None:
                return self._error(h, 404, 20404, "The requested resource was not found")
            return self._reply(h, 200, self._public(message))
        if method == "GET" and _CREATE.match(parsed.path):
            query = dict(urllib.parse.parse_qsl(parsed.query))
            to = query.get("To")
            after = query.get("DateSent>")
            with self._lock:
                found = [
                    self._public(x)
                    for x in self.messages.values()
                    if (not to or x["to"] == to) and (not after or x["_created"] >= _iso(after))
                ]
            return self._reply(
                h,
                200,
                {"messages": found, "next_page_uri": None, "page": 0, "page_size": 50, "uri": parsed.path},
            )
        return self._error(h, 404, 20404, "The requested resource was not found")

    def _create(self, h, acct: str, form: dict) -> None:
        with self._lock:
            fault = self._faults.pop(0) if self._faults else None
        if fault == "429":
            return self._error(h, 429, 20429, "Too Many Requests")
        if fault == "500":
            return self._error(h, 500, None, "Internal Server Error")
        if fault == "drop":
            h.close_connection = True
            h.connection.close()
            return None
        if isinstance(fault, int):
            return self._error(h, 400, fault, ERROR_TEXT.get(fault, "Error"))
        if not form.get("To") or not form.get("Body"):
            return self._error(h, 400, 21602, "Message body is required.")
        now = datetime.now(UTC)
        sid = f"SM{next(self._ids):032x}"
        message = {
            "sid": sid,
            "account_sid": acct,
            "to": form["To"],
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": form["Body"],
            "status": "accepted" if form.get("MessagingServiceSid") else "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": format_datetime(now, usegmt=True),
            "date_updated": format_datetime(now, usegmt=True),
            "date_sent": None,
            "error_code": None,
            "error_message": None,
            "price": None,
            "uri": f"/2010-04-01/Accounts/{acct}/Messages/{sid}.json",
            "_created": now,
            "_callback": form.get("StatusCallback", ""),
            "_validity": form.get("ValidityPeriod"),
        }
        with self._lock:
            self.messages[sid] = message
        if fault == "hang":
            time.sleep(self.hang_seconds)  # created on our side; the client gave up waiting
        self._reply(h, 201, self._public(message))
        if self.auto_callbacks and message["_callback"]:
            threading.Thread(target=self._callbacks, args=(sid,), daemon=True).start()
        return None

    def _callbacks(self, sid: str) -> None:
        for status in ("sent", "delivered"):
            # A burst of callbacks at a development server on SQLite can time out or meet a locked
            # database; try a few times, so that a test of delivery reports is not a test of that.
            for attempt in range(4):
                try:
                    if self.callback_fire(sid, status) < 500:
                        break
                except OSError:
                    pass
                time.sleep(0.5 * (attempt + 1))

    @staticmethod
    def _public(message: dict) -> dict:
        return {k: v for k, v in message.items() if not k.startswith("_")}


def _iso(text: str) -> datetime:
    text = text.strip().replace("Z", "+00:00")
    if len(text) == 10:
        text += "T00:00:00+00:00"
    return datetime.fromisoformat(text)
