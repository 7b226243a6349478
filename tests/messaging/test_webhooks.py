"""Twilio webhooks: signatures, store-once, replies once, the SMS language's effects, callbacks."""

import pytest
from twilio.request_validator import RequestValidator

from messaging import transports
from messaging.models import InboundMessage, OptOut, OutboundMessage
from messaging.registry import _handlers, register_handler
from tests.factories import VolunteerFactory
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db
INBOUND = "/sms/twilio/inbound/"
STATUS = "/sms/twilio/status/"


_capture = {}


@pytest.fixture(autouse=True)
def commit_callbacks(django_capture_on_commit_callbacks):
    # The test wraps each test in a transaction; run what would run after the commit, as it would.
    _capture["run"] = django_capture_on_commit_callbacks


def post(client, path, params, token="test-auth-token", signature=None):  # noqa: S107
    sig = signature or RequestValidator(token).compute_signature("http://testserver" + path, params)
    with _capture["run"](execute=True):
        return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=sig)


def text(client, body, sid="SM1", phone="+447700900123", **extra):
    return post(
        client, INBOUND, {"MessageSid": sid, "From": phone, "To": "+447700900000", "Body": body, **extra}
    )


@pytest.fixture
def yes_handler():
    seen = []

    def handle(ctx):
        seen.append((ctx.command.name, ctx.command.argument, ctx.volunteer))
        return f"Thanks, {ctx.command.argument} is yours."

    saved = dict(_handlers)
    _handlers.pop("YES", None)
    register_handler("YES", handle)
    yield seen
    _handlers.clear()
    _handlers.update(saved)


def test_a_forged_signature_gets_403_and_stores_nothing(client, settings):
    settings.DEBUG = True
    r = post(
        client, INBOUND, {"MessageSid": "SM1", "From": "+447700900123", "Body": "STOP"}, token="not-ours"
    )
    assert r.status_code == 403
    r = client.post(INBOUND, {"MessageSid": "SM1", "From": "+447700900123", "Body": "STOP"})
    assert r.status_code == 403
    assert not InboundMessage.objects.exists() and not OptOut.objects.exists()


def test_the_signature_covers_every_posted_parameter(client):
    params = {"MessageSid": "SM1", "From": "+447700900123", "Body": "STOP"}
    sig = RequestValidator("test-auth-token").compute_signature("http://testserver" + INBOUND, params)
    r = client.post(INBOUND, {**params, "Body": "START"}, HTTP_X_TWILIO_SIGNATURE=sig)
    assert r.status_code == 403


def test_answers_empty_twiml_at_once(client):
    r = text(client, "HELP")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/xml")
    assert b"<Response/>" in r.content


@pytest.mark.parametrize("debug", [True, False])
def test_a_webhook_url_typed_without_the_slash_is_handled_and_checked_as_signed(client, settings, debug):
    """Twilio signs the URL it was given; a redirect to the slash would lose the POST."""
    settings.DEBUG = debug
    params = {"MessageSid": "SMnoslash", "From": "+447700900123", "To": "+447700900000", "Body": "HELP"}
    r = post(client, INBOUND.rstrip("/"), params)
    assert r.status_code == 200 and b"<Response/>" in r.content
    assert InboundMessage.objects.get(message_sid="SMnoslash").body == "HELP"
    assert OutboundMessage.objects.get(to="+447700900123").purpose == "reply"
    # A signature made for the other form of the URL is not the one Twilio sent here: refused.
    slash_sig = RequestValidator("test-auth-token").compute_signature("http://testserver" + INBOUND, params)
    r = client.post(INBOUND.rstrip("/"), {**params, "MessageSid": "SM2"}, HTTP_X_TWILIO_SIGNATURE=slash_sig)
    assert r.status_code == 403


def test_a_status_callback_without_the_slash_is_applied(client):
    m = OutboundMessage.objects.create(
        to="+447700900123", body="hi", dedupe_key="x", purpose="t", state="sent"
    )
    r = post(client, f"{STATUS.rstrip('/')}?m={m.pk}", {"MessageSid": "SMy", "MessageStatus": "delivered"})
    assert r.status_code == 204
    m.refresh_from_db()
    assert m.state == "delivered"


def test_a_retried_webhook_is_stored_once_and_replied_once(client, yes_handler):
    v = VolunteerFactory(phone="+447700900123")
    for _ in range(3):
        assert text(client, "yes please 7KQ2!", sid="SMretry").status_code == 200
    assert InboundMessage.objects.filter(message_sid="SMretry").count() == 1
    assert yes_handler == [("YES", "7KQ2", v)]
    assert [s.body for s in transports.outbox] == ["Thanks, 7KQ2 is yours."]
    assert OutboundMessage.objects.get().dedupe_key == "reply:SMretry"


def test_stop_opts_out_without_a_reply_and_only_start_opts_back_in(client, yes_handler):
    v = VolunteerFactory(phone="+447700900123")
    text(client, "Stop", sid="SM1")
    assert OptOut.objects.filter(phone=v.phone).exists()
    v.refresh_from_db()
    assert v.status == Volunteer.Status.OPTED_OUT
    assert transports.outbox == []
    text(client, "YES", sid="SM2", OptOutType="START")  # Twilio would re-subscribe on YES; we do not
    assert OptOut.objects.filter(phone=v.phone).exists()
    text(client, "unstop", sid="SM3")
    assert not OptOut.objects.filter(phone=v.phone).exists()
    v.refresh_from_db()
    assert v.status == Volunteer.Status.ACTIVE
    assert "again" in transports.outbox[-1].body


def test_twilio_opt_out_type_is_honoured(client):
    text(client, "arret", sid="SM1", OptOutType="STOP")
    assert OptOut.objects.filter(phone="+447700900123").exists()


def test_help_lists_the_commands(client):
    text(client, "help")
    (reply,) = transports.outbox
    assert "YES REF" in reply.body and "STOP" in reply.body


def test_pause_and_available_change_the_volunteer(client):
    v = VolunteerFactory(phone="+447700900123")
    text(client, "pause", sid="SM1")
    v.refresh_from_db()
    assert v.status == Volunteer.Status.PAUSED
    text(client, "Available!", sid="SM2")
    v.refresh_from_db()
    assert v.status == Volunteer.Status.ACTIVE


def test_what_nobody_understood_goes_to_the_inbox_with_a_short_reply(client):
    # (From a volunteer; from a number nobody knows, words of need get a kind answer instead:
    # tests/messaging/test_requests_by_text.py.)
    VolunteerFactory(phone="+447700900123")
    text(client, "help my mum has fallen")
    msg = InboundMessage.objects.get()
    assert msg.needs_attention and msg.outcome == InboundMessage.Outcome.NOT_UNDERSTOOD
    assert "did not understand" in transports.outbox[0].body


def test_a_command_nobody_registered_is_not_understood(client, monkeypatch):
    # monkeypatch puts the handler back: other apps' tests rely on the registry as ready() left it.
    monkeypatch.delitem(_handlers, "READY", raising=False)
    text(client, "READY")
    assert InboundMessage.objects.get().needs_attention


def test_a_handler_that_fails_is_recorded_for_a_person(client, monkeypatch):
    monkeypatch.setitem(_handlers, "DONE", lambda ctx: 1 / 0)
    text(client, "done 7KQ2")
    msg = InboundMessage.objects.get()
    assert msg.outcome == InboundMessage.Outcome.ERROR and msg.needs_attention


def test_status_callbacks_out_of_order(client):
    m = OutboundMessage.objects.create(
        to="+447700900123", body="hi", dedupe_key="x", purpose="t", state="sent"
    )
    for status in ("delivered", "sent", "queued"):
        r = post(client, f"{STATUS}?m={m.pk}", {"MessageSid": "SMx", "MessageStatus": status})
        assert r.status_code == 204
    m.refresh_from_db()
    assert (m.state, m.provider_sid) == ("delivered", "SMx")


def test_a_forged_status_callback_is_refused(client):
    m = OutboundMessage.objects.create(
        to="+447700900123", body="hi", dedupe_key="x", purpose="t", state="sent"
    )
    r = post(client, f"{STATUS}?m={m.pk}", {"MessageSid": "SMx", "MessageStatus": "failed"}, token="forged")
    assert r.status_code == 403
    m.refresh_from_db()
    assert m.state == "sent"


def test_the_simulator_texts_through_the_signed_path(client, settings, yes_handler):
    settings.DEBUG = True
    settings.TWILIO_AUTH_TOKEN = ""  # a development machine: the simulator signs with a derived key
    v = VolunteerFactory(phone="+447700900123", name="Sam Simulator")
    page = client.get("/sms/simulator/", {"q": "sam"})
    assert b"Sam Simulator" in page.content
    with _capture["run"](execute=True):
        r = client.post("/sms/simulator/", {"phone": v.phone, "body": "yes 7KQ2"})
    assert r.status_code == 302
    page = client.get(r["Location"])
    assert b"yes 7KQ2" in page.content and b"Thanks, 7KQ2 is yours." in page.content
    assert yes_handler[0][:2] == ("YES", "7KQ2")


def test_the_simulator_is_not_there_in_production(client, settings):
    settings.DEBUG = False
    assert client.get("/sms/simulator/").status_code == 404
