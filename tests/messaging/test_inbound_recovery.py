"""A text that was stored but whose handling task was lost (the broker was down) is still handled,
once: by Twilio's retry of the webhook, or by the one-minute sweep."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import inbound, tasks, transports
from messaging.models import InboundMessage


@pytest.mark.django_db(transaction=True)
def test_twilios_retry_queues_a_text_whose_task_was_lost(monkeypatch):
    def broker_down(inbound_id):
        raise ConnectionError("Redis is restarting")

    with monkeypatch.context() as patch:
        patch.setattr(inbound, "_push", broker_down)
        with pytest.raises(ConnectionError):  # the webhook answers 500, so Twilio retries
            inbound.inbound_receive(message_sid="SMlost", from_number="07700 900001", body="HELP")
    stored = InboundMessage.objects.get(message_sid="SMlost")
    assert stored.handled_at is None and not transports.outbox
    # Twilio retries a little later.
    InboundMessage.objects.filter(pk=stored.pk).update(received_at=timezone.now() - timedelta(seconds=30))

    inbound.inbound_receive(message_sid="SMlost", from_number="07700 900001", body="HELP")
    stored.refresh_from_db()
    assert stored.handled_at is not None
    assert [m.to for m in transports.outbox] == ["+447700900001"]  # the HELP reply, once

    inbound.inbound_receive(message_sid="SMlost", from_number="07700 900001", body="HELP")
    assert len(transports.outbox) == 1 and InboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_the_sweep_handles_texts_nobody_handled(django_capture_on_commit_callbacks):
    lost = InboundMessage.objects.create(
        message_sid="SMold",
        from_number="+447700900002",
        body="HELP",
        received_at=timezone.now() - timedelta(minutes=2),
    )
    fresh = InboundMessage.objects.create(message_sid="SMnew", from_number="+447700900003", body="HELP")
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.outbox_sweep()
    assert result["inbound_requeued"] == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.handled_at is not None  # answered at last
    assert fresh.handled_at is None  # its own task may still be on its way: left alone
    assert [m.to for m in transports.outbox] == ["+447700900002"]
