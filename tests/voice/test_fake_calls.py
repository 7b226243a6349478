"""The local Twilio server's Calls API, through the real twilio client, and the call walker that
plays Twilio's part in a call. The app's side is stood in for by a tiny script of TwiML here; the
app's own calls are tested in the other modules of tests/voice."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from tests.fakes.call_walker import APPLICATION_ERROR, CallWalker
from tests.fakes.twilio_server import FakeTwilio

TOKEN = "walker-token"


@pytest.fixture
def server():
    fake = FakeTwilio(account_sid="AC" + "2" * 32, auth_token=TOKEN, hang_seconds=0.5).start()
    yield fake
    fake.stop()


def client_for(server) -> Client:
    client = Client(server.account_sid, server.auth_token, http_client=TwilioHttpClient(timeout=0.3))
    client.api.base_url = server.base_url
    return client


class App:
    """Answers every webhook with the TwiML of a tiny menu and remembers what it was sent."""

    def __init__(self):
        self.posts: list[tuple[str, dict, bool]] = []

    def __call__(self, url, params, signature):
        valid = RequestValidator(TOKEN).validate(url, params, signature)
        self.posts.append((url, params, valid))
        if not valid:
            return 403, ""
        r = VoiceResponse()
        if url.endswith("/status/"):
            return 204, ""
        if url.endswith("/broken/"):
            return 500, "oops"
        if "Digits" in params:
            r.say(f"You pressed {params['Digits']}.")
            if params["Digits"] == "3":
                r.redirect("/menu/")
            return 200, str(r)
        g = r.gather(action="/keys/", num_digits=1)
        g.say("Press 1.")
        r.say("Nothing pressed. Goodbye.")
        return 200, str(r)


def place(server, **extra):
    client = client_for(server)
    return client.calls.create(
        to="+447700900123",
        from_="+447700900000",
        url="https://rk.example/menu/",
        status_callback="https://rk.example/status/",
        status_callback_event=["initiated", "ringing", "answered", "completed"],
        machine_detection="Enable",
        **extra,
    )


def test_a_created_call_is_fetched_and_walked_with_signed_posts(server):
    app = App()
    walker = CallWalker(server, post=app)
    call = place(server)
    assert call.sid.startswith("CA") and call.status == "queued"

    walked = walker.answer(call.sid)
    assert walked.said == ["Press 1."]
    walker.press(call.sid, "3")
    walker.press(call.sid, "1")

    assert walked.said == ["Press 1.", "You pressed 3.", "Press 1.", "You pressed 1."]
    assert walked.ended and client_for(server).calls(call.sid).fetch().status == "completed"
    statuses = [p["CallStatus"] for url, p, _ in app.posts if url.endswith("/status/")]
    assert statuses == ["initiated", "ringing", "in-progress", "completed"]
    assert all(valid for *_, valid in app.posts)
    menu = app.posts[3][1]
    assert menu["AnsweredBy"] == "human" and menu["To"] == "+447700900123"


def test_silence_runs_what_follows_the_gather_and_a_machine_is_named(server):
    app = App()
    walker = CallWalker(server, post=app)
    call = place(server)
    walker.answer(call.sid, machine=True)
    walked = walker.silence(call.sid)
    assert walked.said == ["Press 1.", "Nothing pressed. Goodbye."]
    assert app.posts[3][1]["AnsweredBy"] == "machine_end_beep"


def test_a_busy_call_ends_with_its_callback_and_is_never_answered(server):
    app = App()
    walker = CallWalker(server, post=app)
    server.fail_next_call("busy")
    call = place(server)
    walked = walker.ring(call.sid)
    assert walked.status == "busy" and walked.said == []
    assert [p["CallStatus"] for _, p, _ in app.posts] == ["initiated", "ringing", "busy"]


@pytest.mark.parametrize(
    ("fault", "status", "code"), [("500", 500, None), (21215, 400, 21215), ("429", 429, 20429)]
)
def test_the_api_answers_faults_as_twilio_does(server, fault, status, code):
    server.fail_next_call(fault)
    with pytest.raises(TwilioRestException) as caught:
        place(server)
    assert caught.value.status == status and caught.value.code == code
    assert server.calls_created() == []


def test_a_call_without_a_url_is_refused(server):
    with pytest.raises(TwilioRestException) as caught:
        client_for(server).calls.create(to="+447700900123", from_="+447700900000")
    assert caught.value.code == 21205


def test_an_app_error_is_heard_as_twilio_says_it_and_a_forged_token_is_refused(server):
    app = App()
    walker = CallWalker(server, post=app)
    walked = walker.call_in("https://rk.example/broken/", from_="+447700900999", to="+447700900000")
    assert walked.said == [APPLICATION_ERROR] and walked.ended

    forged = walker.call_in("https://rk.example/menu/", from_="+447700900999", to="+4477", token="wrong")
    assert forged.last_status == 403 and forged.said == [APPLICATION_ERROR]


def test_a_call_in_can_record_and_the_recording_reaches_the_action(server):
    posts = []

    def app(url, params, signature):
        posts.append((url, params))
        r = VoiceResponse()
        if "RecordingSid" in params:
            r.say("Thank you.")
        elif "Digits" not in params and not url.endswith("done/"):
            r.say("Leave a message.")
            r.record(action="/done/", max_length=60, recording_status_callback="/rec/")
        return 200, str(r)

    walker = CallWalker(server, post=app)
    call = walker.call_in(
        "https://rk.example/voice/twilio/inbound/", from_="+447700900555", to="+447700900000"
    )
    assert call.said == ["Leave a message."] and call.waiting is not None
    walker.record(call.sid, url="https://api.twilio.com/rec/RE1", duration=14)
    assert call.said == ["Leave a message.", "Thank you."]
    (action,) = [p for u, p in posts if u == "https://rk.example/done/"]
    assert action["RecordingUrl"] == "https://api.twilio.com/rec/RE1" and action["RecordingDuration"] == "14"
    (callback,) = [p for u, p in posts if u == "https://rk.example/rec/"]
    assert callback["RecordingStatus"] == "completed" and callback["From"] == "+447700900555"
