"""The phone simulator takes a call (issue 17, item 3): "Call the service" runs the requests line's
own TwiML through its signed webhooks, shows what is said, offers the keys, and takes a typed
message in place of speech; only with DEBUG on."""

from __future__ import annotations

import pytest

from messaging.models import InboundCall, InboxEntry

pytestmark = pytest.mark.django_db
CALL = "/sms/simulator/call/"


@pytest.fixture
def simulator(client, settings, phone_line, django_capture_on_commit_callbacks):
    settings.DEBUG = True

    def act(**data: str) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(CALL, data).status_code == 302
        return client.get(CALL).content.decode()

    return act


def test_a_call_through_the_simulator_leaves_a_message_in_the_inbox(simulator, brum_aid):
    page = simulator(action="start", phone="0121 496 0123")
    assert "The service says:</strong> Hello. You have reached Rekindle." in page
    assert 'aria-label="Press 1"' in page and "Hang up" in page
    page = simulator(key="1")
    assert "You pressed 1." in page and "After the tone, please say your name" in page
    assert "Your message (typed in place of speech)" in page
    page = simulator(said="This is Edna, I need my prescription collected, my postcode is B23 6SN")
    assert "please say your postcode now" in page
    page = simulator(said="")  # waits, says nothing: the postcode is skipped
    assert "Thank you. A person will listen to your message and call you back. Goodbye." in page
    assert "The call from +441214960123 has ended" in page
    call = InboundCall.objects.get()
    assert (call.from_number, call.outcome, call.call_status) == ("+441214960123", "message", "completed")
    assert call.recording_seconds == 5  # 13 words, said at about 2.5 a second
    assert InboxEntry.objects.get(call=call).organisation is None  # a stranger, no postcode: the desk


def test_hanging_up_mid_menu_leaves_called_with_no_message(simulator):
    simulator(action="start", phone="0121 496 0124")
    page = simulator(action="hang_up")
    assert "You hung up." in page and "has ended" in page
    assert InboundCall.objects.get().outcome == "no_message"


def test_the_duty_line_in_the_simulator(simulator, time_machine):
    from datetime import UTC, datetime

    time_machine.move_to(datetime(2026, 3, 2, 12, 0, tzinfo=UTC), tick=False)
    simulator(action="start", phone="0121 496 0125")
    page = simulator(key="2")
    assert "Putting you through to the duty coordinator." in page and "Ringing +441214960000" in page
    page = simulator(action="no_answer")
    assert "Nobody answered." in page and "Sorry, the duty coordinator cannot answer just now." in page


def test_without_debug_there_is_no_call_simulator(client, settings):
    settings.DEBUG = False
    assert client.get(CALL).status_code == 404
    assert client.post(CALL, {"action": "start", "phone": "0121 496 0123"}).status_code == 404
    assert not InboundCall.objects.exists()
