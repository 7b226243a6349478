"""A call not yet dialled is taken back when its reason goes (the task taken by someone else);
a person's calls are in their subject access and go with their erasure."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine

from needs.models import Need
from needs.services.offers import offers_make
from operations.data_rights import person_erase, subject_access
from tests.factories import VolunteerFactory
from tests.voice.conftest import only_call
from tests.voice.test_offer_by_call import a_need, called_volunteer
from voice.calling import calls_dial_due
from voice.models import OutboundCall

pytestmark = pytest.mark.django_db


def test_a_call_held_by_quiet_hours_is_taken_back_when_someone_else_takes_the_task(
    phone_network, run_on_commit, settings, text_in
):
    settings.SMS_QUIET_HOURS = (time(21, 0), time(8, 0))
    caller = called_volunteer()
    texter = VolunteerFactory()
    with time_machine.travel(datetime(2026, 11, 30, 23, 0, tzinfo=UTC)):
        need = a_need(urgency=Need.Urgency.NORMAL, window_start=None, window_end=None)
        run_on_commit(offers_make, need=need, count=2)
    with time_machine.travel(datetime(2026, 12, 1, 7, 59, tzinfo=UTC)):
        text_in(texter.phone, f"YES {need.ref}")  # held too, but a reply is never held
    need.refresh_from_db()
    assert need.assigned_volunteer_id == texter.pk
    row = OutboundCall.objects.get(volunteer=caller)
    assert row.state == OutboundCall.State.CANCELLED and row.error_code == "withdrawn"
    with time_machine.travel(datetime(2026, 12, 1, 8, 1, tzinfo=UTC)):
        assert calls_dial_due() == 0
    assert phone_network.calls_created() == []


def test_a_persons_calls_are_in_their_subject_access_and_go_with_their_erasure(phone_network, run_on_commit):
    caller = called_volunteer(phone="+447700900555")
    run_on_commit(offers_make, need=a_need(), count=1)
    sid = only_call(phone_network, caller.phone)
    phone_network.walker.answer(sid)
    phone_network.walker.press(sid, "2")

    (call,) = subject_access(phone=caller.phone)["calls_to_them"]
    assert (call["purpose"], call["keys_pressed"], call["outcome"], call["answered_by"]) == (
        "offer",
        "2",
        "declined",
        "human",
    )
    assert person_erase(phone=caller.phone)["calls"] == 1
    assert not OutboundCall.objects.filter(to=caller.phone).exists()
