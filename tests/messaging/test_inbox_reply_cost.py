"""The inbox's reply form counts a reply as it will go: letters outside GSM-7 make it UCS-2 (67
characters a segment, not 153), they are kept as typed, and the limit is in segments."""

from __future__ import annotations

import pytest

from messaging.models import OutboundMessage
from tests.factories import InboundMessageFactory, InboxEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(volunteer, brum_aid):
    """A text in Brum Aid's inbox (replies go as "Brum Aid: ...")."""
    message = InboundMessageFactory(
        from_number=volunteer.phone, volunteer=volunteer, body="pomocy, mama upadła", needs_attention=True
    )
    return InboxEntryFactory(message=message, organisation=brum_aid)


def reply(client, user, entry, body):
    client.force_login(user)
    response = client.post(f"/inbox/{entry.pk}/reply/", {"action": "reply", "body": body}, follow=True)
    return [str(m) for m in response.context["messages"]]


def test_the_form_says_what_a_segment_holds_in_each_encoding(client, coordinator, waiting):
    client.force_login(coordinator)
    page = client.get("/inbox/").content.decode()
    assert "Up to 3 text segments: about 459 characters in plain letters, or 201 when" in page


def test_a_polish_reply_goes_letter_for_letter_as_ucs2(client, coordinator, waiting):
    body = "Dzień dobry, Łukasz już jedzie. Proszę czekać przy drzwiach."
    assert reply(client, coordinator, waiting, body) == ["Reply sent and the message is marked dealt with."]
    sent = OutboundMessage.objects.get(purpose="inbox_reply")
    assert (sent.body, sent.encoding, sent.segments) == (f"Brum Aid: {body}", "ucs2", 1)


def test_a_reply_too_long_in_ucs2_is_refused_with_its_real_cost(client, coordinator, waiting):
    # 250 characters: well under the 480-character box, but four UCS-2 segments.
    body = ("Łukasz jedzie. " * 17)[:250]
    notes = reply(client, coordinator, waiting, body)
    assert notes == [
        "That reply would go as 4 text messages joined on the phone (260 characters: letters such as "
        "ł or ü, or emoji, fit 67 to a message instead of 153). Please keep it to 3."
    ]
    assert not OutboundMessage.objects.exists()
    waiting.refresh_from_db()
    assert waiting.resolved_at is None  # still waiting for a person


def test_the_same_length_in_plain_letters_is_fine(client, coordinator, waiting):
    body = ("Lukasz jedzie. " * 17)[:250]
    assert reply(client, coordinator, waiting, body) == ["Reply sent and the message is marked dealt with."]
    assert OutboundMessage.objects.get().segments == 2
