"""The pure reading of answers (messaging/replies.py): what a yes or a no becomes, given what is
open for the sender. The end-to-end table is tests/messaging/test_replies_in_context.py."""

from hypothesis import given
from hypothesis import strategies as st

from messaging.grammar import sms_parse
from messaging.replies import CALL, OFFER, QUESTION_KINDS, Intent, intent_read, reply_read


def test_longer_phrases_win_over_the_words_inside_them():
    assert intent_read("no problem") == Intent.YES
    assert intent_read("I'm not free") == Intent.NO
    assert intent_read("not a problem at all") == Intent.YES
    assert intent_read("yes but not today") == Intent.UNCLEAR
    assert intent_read("maybe next time") == Intent.NO
    assert intent_read("maybe yes") == Intent.UNCLEAR
    assert intent_read("what is this") == Intent.NONE


def test_a_ref_decides_whatever_else_is_open():
    reading = reply_read(sms_parse("yes 7KQ2"), open_kinds={CALL})
    assert (reading.name, reading.argument) == ("YES", "7KQ2")


def test_stop_is_never_read_as_an_answer():
    assert reply_read(sms_parse("STOP"), open_kinds={CALL, OFFER}).name == "STOP"


@given(st.text(max_size=200), st.sets(st.sampled_from(QUESTION_KINDS)))
def test_reading_never_fails_and_always_names_a_command(text, kinds):
    reading = reply_read(sms_parse(text), open_kinds=kinds)
    assert reading.name and isinstance(reading.for_a_person, bool)
    if reading.name == "NOT_UNDERSTOOD":
        assert reading.for_a_person  # what nobody could read always reaches a person
