from __future__ import annotations

import itertools

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from messaging import transports
from messaging.models import InboundMessage, OutboundMessage
from messaging.ratelimit import limiter_get
from tests.fakes.twilio_server import FakeTwilio


@pytest.fixture(autouse=True)
def sms_settings(settings):
    settings.SMS_BACKEND = "locmem"
    settings.SMS_TASKS_SYNC = True  # django-q2 runs the task inline
    settings.SMS_QUIET_HOURS = None
    settings.SMS_MAX_PER_SECOND = 100000
    settings.PUBLIC_BASE_URL = "http://testserver"
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    transports.outbox.clear()
    yield settings
    transports.outbox.clear()


@pytest.fixture
def fake_twilio(settings):
    """The real twilio client, over HTTP, against the local fake."""
    server = FakeTwilio(account_sid="AC" + "1" * 32, auth_token="test-auth-token", hang_seconds=1.5).start()
    server.settings_point(settings)
    settings.SMS_HTTP_TIMEOUT = 0.5
    yield server
    server.stop()


@pytest.fixture
def no_rate_wait(db):
    limiter_get().reset()


INBOUND = "/sms/twilio/inbound/"
_sids = itertools.count(1)


@pytest.fixture
def send_text(db, django_capture_on_commit_callbacks):
    """Text the service through the signed Twilio webhook, as a phone (or a sender that is not one)
    would, and run what happens after the commit; returns the stored text. ``phone=None``: the
    webhook carries no From at all."""

    def send(body: str, *, phone: str | None = "+447700900123", **extra) -> InboundMessage:
        params = {"MessageSid": f"SMctx{next(_sids):029d}", "To": "+447700900000", "Body": body, **extra}
        if phone is not None:
            params["From"] = phone
        signature = RequestValidator("test-auth-token").compute_signature(
            "http://testserver" + INBOUND, params
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=signature)
        assert response.status_code == 200
        return InboundMessage.objects.get(message_sid=params["MessageSid"])

    return send


def reply_to(message: InboundMessage) -> str | None:
    """The text the service answered ``message`` with, if any."""
    reply = OutboundMessage.objects.filter(dedupe_key=f"reply:{message.message_sid}").first()
    return reply.body if reply else None


# --- the requests line (calls to the service's number) -------------------------------------------
class Caller:
    """A person calling the requests line, as Twilio would put them through: every request signed
    against PUBLIC_BASE_URL + the path (query included), each carrying the CallSid."""

    def __init__(self, client: Client, *, phone: str, call_sid: str, run) -> None:
        self.client, self.phone, self.call_sid, self.run = client, phone, call_sid, run

    def post(self, path: str, token: str = "test-auth-token", **params: str):  # noqa: S107
        params = {"CallSid": self.call_sid, "From": self.phone, "To": "+447700900000", **params}
        signature = RequestValidator(token).compute_signature("http://testserver" + path, params)
        with self.run(execute=True):
            return self.client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)

    def ring(self):
        return self.post("/voice/twilio/inbound/", CallStatus="ringing", Direction="inbound")

    def press(self, digits: str, *, attempt: int = 1):
        return self.post(f"/voice/twilio/line/menu/?try={attempt}", Digits=digits)

    def leave_message(self, *, seconds: int = 42, sid: str = "RE" + "a" * 32):
        url = f"https://api.twilio.com/2010-04-01/Accounts/AC{'1' * 32}/Recordings/{sid}"
        return self.post(
            "/voice/twilio/line/recorded/", RecordingSid=sid, RecordingUrl=url, RecordingDuration=str(seconds)
        )

    def say_postcode(self, words: str):
        return self.post("/voice/twilio/line/postcode/", SpeechResult=words, Confidence="0.9")

    def hang_up(self, *, seconds: int = 60):
        return self.post("/voice/twilio/line/ended/", CallStatus="completed", CallDuration=str(seconds))


_call_sids = itertools.count(1)


@pytest.fixture
def phone_line(settings):
    """The requests line's settings: a duty coordinator on +44 121 496 0000, 09:00 to 17:00."""
    from datetime import time

    settings.SMS_SENDER_NAME = "Rekindle"
    settings.PHONE_LINE_DUTY_NUMBER = "+441214960000"
    settings.PHONE_LINE_DUTY_HOURS = (time(9, 0), time(17, 0))
    return settings


@pytest.fixture
def caller(db, phone_line, django_capture_on_commit_callbacks):
    """caller(phone) -> a Caller on a new call."""

    def make(phone: str = "+447700900777") -> Caller:
        sid = f"CA{next(_call_sids):032d}"
        return Caller(Client(), phone=phone, call_sid=sid, run=django_capture_on_commit_callbacks)

    return make


def twiml_said(response) -> str:
    """Everything the TwiML answer says, in order, as one string."""
    from xml.etree import ElementTree

    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own server's TwiML
    return " ".join(" ".join(say.itertext()) for say in root.iter("Say"))


def twiml_verbs(response) -> list[str]:
    """The answer's verbs, nested ones after their parent: ["Say", "Gather", "Say", "Redirect"]."""
    from xml.etree import ElementTree

    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own server's TwiML
    return [el.tag for el in root.iter() if el.tag != "Response"]
