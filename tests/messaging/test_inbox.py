"""The coordinators' inbox: answering a text nobody understood, once, by whoever gets there first."""

from __future__ import annotations

import pytest

from messaging.models import InboundMessage, OutboundMessage
from tests.factories import InboundMessageFactory, OptOutFactory
from volunteers.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(volunteer):
    return InboundMessageFactory(
        from_number=volunteer.phone, volunteer=volunteer, body="my mum has fallen", needs_attention=True
    )


def answer(client, user, message, **data):
    client.force_login(user)
    """Post an answer, follow back to the inbox, and return the notes shown there."""
    response = client.post(f"/inbox/{message.pk}/reply/", data, follow=True)
    assert response.redirect_chain == [("/inbox/", 302)]
    notes = [str(m) for m in response.context["messages"]]
    assert all(note in response.content.decode() for note in notes)
    return notes


def test_a_coordinators_reply_is_sent_once_and_the_text_leaves_the_inbox(client, coordinator, waiting):
    notes = answer(client, coordinator, waiting, action="reply", body="Calling you now.")
    assert notes == ["Reply sent and the message is marked dealt with."]
    assert list(OutboundMessage.objects.values_list("to", "body", "purpose")) == [
        (waiting.from_number, "Calling you now.", "inbox_reply")
    ]
    waiting.refresh_from_db()
    assert waiting.resolved_by == coordinator
    assert AuditEvent.objects.get(action="inbox.reply").detail == {"sent": True}

    notes = answer(client, coordinator, waiting, action="reply", body="Calling you now.")
    assert notes == ["Someone has already dealt with that message."]
    assert OutboundMessage.objects.count() == 1


def test_marking_a_text_dealt_with_sends_nothing(client, coordinator, waiting):
    assert answer(client, coordinator, waiting, action="resolve") == ["Marked dealt with."]
    assert not OutboundMessage.objects.exists()
    assert InboundMessage.objects.get().resolved_at is not None
    assert AuditEvent.objects.get(action="inbox.resolve").detail == {"sent": False}


def test_no_reply_goes_to_a_number_that_opted_out(client, coordinator, waiting):
    OptOutFactory(phone=waiting.from_number)
    notes = answer(client, coordinator, waiting, action="reply", body="Calling you now.")
    assert notes == ["Marked dealt with. No reply was sent: that number has opted out (STOP)."]
    assert not OutboundMessage.objects.exists()


def test_an_empty_reply_is_refused_and_the_text_stays_waiting(client, coordinator, waiting):
    notes = answer(client, coordinator, waiting, action="reply", body="")
    assert notes == ["Please write a reply of up to 480 characters, or mark it dealt with."]
    assert InboundMessage.objects.get().resolved_at is None


def test_a_viewer_may_not_answer(client, viewer, waiting):
    client.force_login(viewer)
    assert client.post(f"/inbox/{waiting.pk}/reply/", {"action": "resolve"}).status_code == 403
    assert InboundMessage.objects.get().resolved_at is None


def test_the_inbox_shows_what_waits_and_who_dealt_with_the_rest_without_their_numbers(
    client, coordinator, waiting
):
    dealt = InboundMessageFactory(from_number="+447700900456", body="thanks!", needs_attention=True)
    answer(client, coordinator, dealt, action="resolve")
    page = client.get("/inbox/").content.decode()
    assert "my mum has fallen" in page and "Waiting (1)" in page
    assert "thanks!" in page and "**********456" in page and "cora" in page
    assert "+447700900456" not in page
