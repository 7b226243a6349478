"""No text loses a letter between ``message_queue`` and the transport: what the outbox stores and
what the transport sends (the locmem transport, and the real twilio client over HTTP) is the text
after the documented smart-encoding replacements (``GSM_REPLACEMENTS``), trimmed at its ends, and
nothing else: names, addresses and details in any script, emoji and all."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from messaging import transports
from messaging.encoding import GSM_REPLACEMENTS, UCS2, sms_segments
from messaging.models import OutboundMessage
from messaging.sending import message_send
from messaging.services import message_queue

pytestmark = pytest.mark.django_db
PHONE = "+447700900123"
_keys = itertools.count(1)

SAMPLES = [
    "Zoë Łukasiewicz, Flat 2, Ćwik Court, 5 Łąka Road",
    "زینب بی بی، 14 گرین لین",
    "ਗੁਰਪ੍ਰੀਤ ਕੌਰ ਨੂੰ ਦਵਾਈ ਚਾਹੀਦੀ ਹੈ",
    "আমিনা বেগম",
    "Ashraf 👍🏽 🇬🇧 👨‍👩‍👧",
    "\u201cBig\u201d shop \u2013 it\u2019s `heavy`\u2026",
    "€10 for {milk} [bread] ~ ^ \\ |",
]
# Any character a person can type (no lone surrogates, no control codes but a new line), plus
# the samples and the characters smart encoding replaces, mixed together.
letters = st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from([*GSM_REPLACEMENTS, "\n"])
bodies = st.lists(
    st.text(alphabet=letters, max_size=40) | st.sampled_from(SAMPLES), min_size=1, max_size=8
).map("".join)


def documented(text: str) -> str:
    """The text as the contract says it goes: each documented replacement made, the ends trimmed."""
    return "".join(GSM_REPLACEMENTS.get(ch, ch) for ch in text).strip()


def queue_and_send(body: str) -> tuple[OutboundMessage, str]:
    """Queue ``body``, send it through the configured transport, return the row and what was sent."""
    message = message_queue(to=PHONE, body=body, dedupe_key=f"letters:{next(_keys)}", purpose="test")
    assert message is not None
    assert message_send(message_id=message.pk) == OutboundMessage.State.SENT
    message.refresh_from_db()
    return message, message.body


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies.filter(lambda b: documented(b) != ""))
def test_the_locmem_transport_sends_every_letter(body, no_rate_wait):
    transports.outbox.clear()
    message, stored = queue_and_send(body)
    assert stored == documented(body)
    (sent,) = transports.outbox
    assert sent.body == documented(body)
    assert message.encoding == sms_segments(stored).encoding
    assert message.segments == sms_segments(stored).segments


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies.filter(lambda b: documented(b) != ""))
def test_the_real_twilio_client_sends_every_letter(body, fake_twilio, no_rate_wait):
    fake_twilio.requests.clear()
    _message, stored = queue_and_send(body)
    assert stored == documented(body)
    (request,) = [r for r in fake_twilio.requests if r.method == "POST"]
    assert request.form["Body"] == documented(body)


def test_the_issues_address_goes_as_ucs2_letter_for_letter(no_rate_wait):
    text = "Zoë Łukasiewicz, Flat 2, Ćwik Court, 5 Łąka Road"
    message, stored = queue_and_send(text)
    assert stored == text and transports.outbox[-1].body == text
    assert message.encoding == UCS2
