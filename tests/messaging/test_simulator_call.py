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
        if data:
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


def test_a_call_the_service_places_to_a_volunteer_rings_in_the_simulator_and_key_1_takes_the_task(
    simulator, settings, django_capture_on_commit_callbacks
):
    from needs.models import Need
    from needs.services.offers import offers_make
    from tests.voice.test_offer_by_call import a_need, called_volunteer
    from voice.models import OutboundCall

    settings.SMS_BACKEND = "console"
    volunteer = called_volunteer(name="Cal Caller")
    need = a_need()
    with django_capture_on_commit_callbacks(execute=True):
        offers_make(need=need, count=1)
    placed = OutboundCall.objects.get()
    assert placed.state == OutboundCall.State.PLACED

    page = simulator()  # a plain look at the page
    assert "Calls to volunteers ringing now" in page and f"Call to {volunteer.phone}" in page
    page = simulator(action="answer", call=str(placed.pk))
    assert f"On the line to {volunteer.phone}" in page and "Press 1 to take it." in page
    assert "Edna" not in page  # nothing of the requester before the task is taken
    page = simulator(key="1")
    assert "Thank you, this task is yours." in page and page.count("Name: Edna Example.") == 2
    need.refresh_from_db()
    assert need.status == Need.Status.ASSIGNED and need.assigned_volunteer_id == volunteer.pk
    page = simulator(action="hang_up")
    assert "Calls to volunteers ringing now" not in page
    assert OutboundCall.objects.get().state == OutboundCall.State.COMPLETED
