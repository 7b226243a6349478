import pytest
from django.db import IntegrityError

from tests.factories import InboundMessageFactory, OptOutFactory, OutboundMessageFactory

pytestmark = pytest.mark.django_db


def test_an_inbound_message_is_stored_once_per_message_sid():
    InboundMessageFactory(message_sid="SM123")
    with pytest.raises(IntegrityError):
        InboundMessageFactory(message_sid="SM123")


def test_an_outbound_purpose_is_queued_once():
    OutboundMessageFactory(dedupe_key="offer:42")
    with pytest.raises(IntegrityError):
        OutboundMessageFactory(dedupe_key="offer:42")


def test_a_number_opts_out_once():
    OptOutFactory(phone="+447700900001")
    with pytest.raises(IntegrityError):
        OptOutFactory(phone="+447700900001")
