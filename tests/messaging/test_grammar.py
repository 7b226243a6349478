import pytest
from hypothesis import given
from hypothesis import strategies as st

from messaging.grammar import COMMON_WORDS, KEYWORDS, REF_ALPHABET, sms_parse


@pytest.mark.parametrize(
    ("text", "name", "argument"),
    [
        ("yes please 7KQ2!", "YES", "7KQ2"),
        ("YES 7KQ2", "YES", "7KQ2"),
        ("y", "YES", ""),
        ("Ok", "YES", ""),
        ("O.K. 7kq2", "YES", "7KQ2"),
        ("accept ab3d", "YES", "AB3D"),
        ("Hi! Yes, I can do 7KQ2 this afternoon", "YES", "7KQ2"),
        ("7KQ2 yes", "YES", "7KQ2"),
        ("yes sure", "YES", ""),
        ("no", "NO", ""),
        ("N 7KQ2", "NO", "7KQ2"),
        ("Decline 7KQ2, sorry", "NO", "7KQ2"),
        ("done 7KQ2", "DONE", "7KQ2"),
        ("DONE", "DONE", ""),
        ("ready", "READY", ""),
        ("Ready!", "READY", ""),
        ("not now", "NOT_NOW", ""),
        ("Not now, thanks", "NOT_NOW", ""),
        ("pause", "PAUSE", ""),
        ("AVAILABLE", "AVAILABLE", ""),
        ("STOP", "STOP", ""),
        ("stop.", "STOP", ""),
        ("Please stop", "STOP", ""),
        ("stopall", "STOP", ""),
        ("unsubscribe", "STOP", ""),
        ("Cancel", "STOP", ""),
        ("END", "STOP", ""),
        ("quit", "STOP", ""),
        ("revoke", "STOP", ""),
        ("optout", "STOP", ""),
        ("I want to unsubscribe now", "STOP", ""),
        ("start", "START", ""),
        ("UNSTOP", "START", ""),
        ("help", "HELP", ""),
        ("INFO", "HELP", ""),
        ("help?", "HELP", ""),
        ("link", "LINK", ""),
        ("Link please", "LINK", ""),
        ("LANGUAGE URDU", "LANGUAGE", "URDU"),
        ("language polski", "LANGUAGE", "polski"),
        ("Lang: اردو", "LANGUAGE", "اردو"),
        ("language", "LANGUAGE", ""),
        ("help my mum has fallen", "NOT_UNDERSTOOD", ""),
        ("I need help", "NOT_UNDERSTOOD", ""),
        ("what is this", "NOT_UNDERSTOOD", ""),
        ("", "NOT_UNDERSTOOD", ""),
        ("!!!", "NOT_UNDERSTOOD", ""),
        ("not", "NOT_UNDERSTOOD", ""),
    ],
)
def test_the_sms_language(text, name, argument):
    parsed = sms_parse(text)
    assert (parsed.name, parsed.argument) == (name, argument)
    assert parsed.raw == text


def test_no_task_command_is_cancel_or_end_and_yes_never_opts_in():
    assert KEYWORDS["CANCEL"] == "STOP"
    assert KEYWORDS["END"] == "STOP"
    assert sms_parse("yes").name != "START"


@given(st.text())
def test_never_crashes(text):
    parsed = sms_parse(text)
    assert isinstance(parsed.name, str)


refs = st.text(alphabet=REF_ALPHABET, min_size=4, max_size=4).filter(
    lambda r: r not in KEYWORDS and r not in COMMON_WORDS
)
noise = st.sampled_from(["", "!", ".", " please", " thanks!", " x"])
yes_words = st.sampled_from(["yes", "YES", "Yes", "y", "ok", "accept", "Yes please"])


@given(yes_words, refs, noise, st.booleans())
def test_finds_the_ref_whatever_the_case_and_punctuation(word, ref, tail, lower):
    text = f"{word} {ref.lower() if lower else ref}{tail}"
    parsed = sms_parse(text)
    assert parsed.name == "YES"
    assert parsed.argument == ref
