"""The local Twilio-compatible server (tests/fakes) plus the few read endpoints the readiness
drill uses: the account, the account's phone numbers and a messaging service. A subclass, so the
shared fake stays as it is."""

from __future__ import annotations

import base64
import re
import time
import urllib.parse
from dataclasses import dataclass, field

from tests.fakes.twilio_server import FakeTwilio, Recorded

_ACCOUNT = re.compile(r"^/2010-04-01/Accounts/(?P<acct>[^/]+)\.json$")
_NUMBERS = re.compile(r"^/2010-04-01/Accounts/(?P<acct>[^/]+)/IncomingPhoneNumbers\.json$")
_SERVICE = re.compile(r"^/v1/Services/(?P<sid>[^/]+)$")


@dataclass
class FakeTwilioAccount(FakeTwilio):
    account_status: str = "active"
    # phone number -> (sms_url, sms_method)
    numbers: dict[str, tuple[str, str]] = field(default_factory=dict)
    # messaging service sid -> (inbound_request_url, use_inbound_webhook_on_number)
    services: dict[str, tuple[str, bool]] = field(default_factory=dict)

    def _handle(self, h, method: str) -> None:
        parsed = urllib.parse.urlsplit(h.path)
        route = None
        if method == "GET":
            for pattern in (_ACCOUNT, _NUMBERS, _SERVICE):
                if m := pattern.match(parsed.path):
                    route = (pattern, m)
        if route is None:
            return super()._handle(h, method)
        with self._lock:
            self.requests.append(Recorded(method, h.path, {}, time.time()))
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if h.headers.get("Authorization") != expected:
            return self._error(h, 401, 20003, "Authenticate")
        pattern, m = route
        if pattern is _ACCOUNT:
            if m["acct"] != self.account_sid:
                return self._error(h, 404, 20404, "The requested resource was not found")
            return self._reply(
                h,
                200,
                {"sid": self.account_sid, "friendly_name": "Rekindle (fake)", "status": self.account_status},
            )
        if pattern is _NUMBERS:
            wanted = dict(urllib.parse.parse_qsl(parsed.query)).get("PhoneNumber")
            found = [
                {
                    "sid": f"PN{i:032d}",
                    "account_sid": self.account_sid,
                    "phone_number": number,
                    "sms_url": url,
                    "sms_method": sms_method,
                }
                for i, (number, (url, sms_method)) in enumerate(self.numbers.items())
                if not wanted or number == wanted
            ]
            return self._reply(h, 200, {"incoming_phone_numbers": found, "next_page_uri": None, "page": 0})
        service = self.services.get(m["sid"])
        if service is None:
            return self._error(h, 404, 20404, "The requested resource was not found")
        return self._reply(
            h,
            200,
            {
                "sid": m["sid"],
                "account_sid": self.account_sid,
                "inbound_request_url": service[0],
                "inbound_method": "POST",
                "use_inbound_webhook_on_number": service[1],
            },
        )
