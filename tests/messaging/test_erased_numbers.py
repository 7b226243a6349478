"""After an erasure the number stays blocked, but the opt-out list keeps a keyed hash of it, not
the number (issue 13: the erase-then-search test must not find the number even there)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from messaging.models import OptOut
from messaging.privacy import erased_key, messaging_erase, phones_opted_out
from messaging.services import message_queue, optout_record, optout_remove
from tests.factories import OptOutFactory

pytestmark = pytest.mark.django_db

NUMBER = "+447700900612"


def test_an_erased_number_is_blocked_by_its_key_alone():
    optout_record(phone=NUMBER, source=OptOut.Source.SMS, keyword="STOP")
    messaging_erase(phone=NUMBER)
    (row,) = OptOut.objects.all()
    assert row.phone.startswith("erased:") and NUMBER[1:] not in row.phone
    assert (row.source, str(row)) == ("erasure", "*" * (len(row.phone) - 3) + row.phone[-3:])
    assert message_queue(to=NUMBER, body="Hello again", dedupe_key="t:1", purpose="test") is None
    assert phones_opted_out([NUMBER, "+447700900613"]) == {NUMBER: "erasure"}


def test_a_scheduled_erasure_keeps_a_stop_as_a_key_and_blocks_nothing_new():
    optout_record(phone=NUMBER, source=OptOut.Source.SMS, keyword="STOP")
    messaging_erase(phone=NUMBER, block=False)
    assert phones_opted_out([NUMBER]) == {NUMBER: "sms"}  # their STOP still holds
    messaging_erase(phone="+447700900614", block=False)
    assert phones_opted_out(["+447700900614"]) == {}  # a requester may be texted about a new need


def test_a_new_secret_key_with_the_old_one_as_a_fallback_keeps_the_block(settings):
    messaging_erase(phone=NUMBER)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    assert phones_opted_out([NUMBER]) == {NUMBER: "erasure"}
    assert message_queue(to=NUMBER, body="Hello again", dedupe_key="t:2", purpose="test") is None


def test_start_lifts_the_erasure_block_as_it_did_when_the_number_was_kept():
    messaging_erase(phone=NUMBER)
    assert optout_remove(phone=NUMBER) is True
    assert not OptOut.objects.exists()


def test_the_migration_turns_the_numbers_erasures_kept_into_keys():
    OptOutFactory(phone=NUMBER, source=OptOut.Source.ERASURE)
    OptOutFactory(phone="+447700900615", source=OptOut.Source.SMS)  # a STOP is kept as it is
    migration = importlib.import_module(
        "messaging.migrations.0007_texts_about_people_and_erased_numbers_as_keys"
    )
    migration.erased_numbers_as_keys(apps, None)
    assert set(OptOut.objects.values_list("phone", flat=True)) == {erased_key(NUMBER), "+447700900615"}
    assert phones_opted_out([NUMBER]) == {NUMBER: "erasure"}
