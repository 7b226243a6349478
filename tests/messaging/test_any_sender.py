"""Texts from any sender are stored and put in front of a person: an alphanumeric sender, a short
code, a webhook with no From. Nothing is texted back to a sender that cannot receive, and a text
whose handling keeps failing reaches a person with the error instead of being retried for ever."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from messaging import inbound, tasks
from messaging.models import InboundMessage, InboxEntry, OptOut, OutboundMessage
from tests.factories import MembershipFactory, MutualAidGroupFactory, VolunteerFactory
from tests.messaging.conftest import reply_to

pytestmark = pytest.mark.django_db

COLLAPSED = "help my dad has collapsed"


@pytest.mark.parametrize(
    ("sender", "shown_as"), [("VODAFONE", "VODAFONE"), ("62300", "62300"), (None, "(no sender)")]
)
def test_a_sender_that_is_not_a_phone_reaches_the_desk_and_is_never_texted(
    client, send_text, infrastructure_staff, sender, shown_as
):
    text = send_text(COLLAPSED, phone=sender)
    assert text.handled_at is not None and text.attempts == 1
    assert (text.outcome, text.needs_attention) == ("not_understood", True)
    assert text.outcome_detail == "The sender is not a phone number we can text back."
    assert not OutboundMessage.objects.exists()  # no reply to a sender that cannot receive
    (entry,) = InboxEntry.objects.all()
    assert entry.is_desk and entry.reasons == ["The sender is not a phone number we can text back."]

    client.force_login(infrastructure_staff)
    page = client.get("/inbox/").content.decode()
    assert COLLAPSED in page and f"From {shown_as}" in page
    assert "The sender is not a phone number we can text back: no reply can be sent." in page
    assert "Send reply" not in page
    # Even a hand-made reply is refused without a send, and the text is dealt with.
    response = client.post(f"/inbox/{entry.pk}/reply/", {"action": "reply", "body": "Call 999"}, follow=True)
    assert (
        "No reply was sent: the sender is not a phone number we can text back." in response.content.decode()
    )
    assert not OutboundMessage.objects.exists()

    # The sweep has nothing left to queue again.
    InboundMessage.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    assert tasks.outbox_sweep()["inbound_requeued"] == 0


def test_a_stop_from_a_sender_that_is_not_a_phone_opts_nothing_out(send_text):
    text = send_text("STOP", phone="VODAFONE")
    assert text.outcome == "not_understood" and InboxEntry.objects.get().is_desk
    assert not OptOut.objects.exists()


def test_a_text_that_keeps_failing_goes_to_a_person_with_the_error_after_five_attempts(
    monkeypatch, brum_aid, coordinator, django_capture_on_commit_callbacks
):
    val = VolunteerFactory(phone="+447700900456")
    MembershipFactory(volunteer=val, group=MutualAidGroupFactory(organisation=brum_aid, name="Aston Aid"))
    text = InboundMessage.objects.create(
        message_sid="SMbroken", from_number=val.phone, body=COLLAPSED, received_at=timezone.now()
    )

    def database_gone(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(inbound, "_outcome_save", database_gone)
    for attempt in range(1, 5):
        with pytest.raises(RuntimeError):
            inbound.inbound_handle(inbound_id=text.pk)
        text.refresh_from_db()
        assert (text.attempts, text.handled_at, text.needs_attention) == (attempt, None, False)

    with django_capture_on_commit_callbacks(execute=True):
        assert inbound.inbound_handle(inbound_id=text.pk) == "error"
    text.refresh_from_db()
    assert text.attempts == 5 and text.handled_at is not None and text.needs_attention
    assert text.outcome_detail == "Not handled: RuntimeError: the database went away"
    (entry,) = InboxEntry.objects.all()
    assert entry.organisation == brum_aid
    assert entry.reasons == ["A volunteer in your group Aston Aid.", "It could not be handled automatically."]
    assert reply_to(text) == inbound.ERROR_TEXT
    client = Client()
    client.force_login(coordinator)
    page = client.get("/inbox/").content.decode()
    assert (
        COLLAPSED in page and "The error:</strong> Not handled: RuntimeError: the database went away" in page
    )
    # Handled now: neither a sixth run nor the sweep touches it again.
    assert inbound.inbound_handle(inbound_id=text.pk) == ""
    InboundMessage.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    assert tasks.outbox_sweep()["inbound_requeued"] == 0
    assert InboxEntry.objects.count() == 1


def test_a_text_whose_worker_died_five_times_is_given_to_a_person_on_the_next_run():
    text = InboundMessage.objects.create(
        message_sid="SMkilled", from_number="+447700900457", body="are you there", attempts=5
    )
    assert inbound.inbound_handle(inbound_id=text.pk) == "error"
    text.refresh_from_db()
    assert text.needs_attention and text.attempts == 6
    assert text.outcome_detail == "Not handled: its handling did not finish in 5 attempts"
    assert InboxEntry.objects.get().is_desk
