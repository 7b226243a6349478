"""The TwiML reader turns the markup the service answers calls with into what a caller hears."""

from __future__ import annotations

import pytest
from twilio.twiml.voice_response import VoiceResponse

from voice.twiml_read import (
    Dial,
    Gather,
    Hangup,
    Pause,
    Record,
    Redirect,
    Say,
    TwimlError,
    spoken,
    twiml_read,
)


def test_every_verb_the_service_uses_is_read_with_its_settings():
    r = VoiceResponse()
    g = r.gather(action="/voice/twilio/keys/7/", num_digits=1, timeout=6)
    g.say("Press 1 to accept.", language="en-GB")
    g.pause(length=1)
    slow = r.say("", language="pa-IN")
    slow.prosody("Flat 2, 10 High Street.", rate="slow")
    r.record(action="rec/", max_length=90, recording_status_callback="/voice/rec-status/")
    r.dial("+441212345678")
    r.pause(length=2)
    r.redirect("/voice/again/")
    r.hangup()

    steps = twiml_read(str(r), base_url="https://rk.example/voice/twilio/inbound/")

    assert steps == [
        Gather(
            action="https://rk.example/voice/twilio/keys/7/",
            num_digits=1,
            timeout=6,
            steps=(Say("Press 1 to accept.", "en-GB"), Pause(1)),
        ),
        Say("Flat 2, 10 High Street.", "pa-IN"),
        Record(
            action="https://rk.example/voice/twilio/inbound/rec/",
            max_length=90,
            recording_status_callback="https://rk.example/voice/rec-status/",
        ),
        Dial("+441212345678"),
        Pause(2),
        Redirect("https://rk.example/voice/again/"),
        Hangup(),
    ]
    assert spoken(steps) == ["Press 1 to accept.", "Flat 2, 10 High Street."]


@pytest.mark.parametrize(
    ("xml", "why"),
    [
        ("<Response><Say>unclosed</Response>", "not XML"),
        ("<Gather/>", "not <Response>"),
        ("<Response><Gather numDigits='one'/></Response>", "not a whole number"),
        ("<Response><Gather><Dial>+44</Dial></Gather></Response>", "only <Say>"),
        ("<Response><Dial/></Response>", "no number"),
        ("<Response><Conference>x</Conference></Response>", "<Conference> is not a voice verb"),
    ],
)
def test_markup_a_call_cannot_follow_is_refused_with_the_reason(xml, why):
    with pytest.raises(TwimlError, match=why):
        twiml_read(xml)
