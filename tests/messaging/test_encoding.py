import pytest

from messaging.encoding import GSM7, UCS2, sms_batch_estimate, sms_normalise, sms_segments


@pytest.mark.parametrize(
    ("body", "encoding", "segments", "length"),
    [
        ("", GSM7, 1, 0),
        ("a" * 160, GSM7, 1, 160),
        ("a" * 161, GSM7, 2, 161),
        ("a" * 306, GSM7, 2, 306),
        ("a" * 307, GSM7, 3, 307),
        ("€" * 80, GSM7, 1, 160),  # extension characters count double
        ("€" * 81, GSM7, 2, 162),
        ("a" * 159 + "{", GSM7, 2, 161),
        ("é" * 160, GSM7, 1, 160),  # é is in the basic set
        ("ł" * 70, UCS2, 1, 70),
        ("ł" * 71, UCS2, 2, 71),
        ("ł" * 134, UCS2, 2, 134),
        ("ł" * 135, UCS2, 3, 135),
        ("😀" * 35, UCS2, 1, 70),  # outside the BMP: two code units each
        ("Can\u2019t make it", UCS2, 1, 13),
    ],
)
def test_segments(body, encoding, segments, length):
    info = sms_segments(body)
    assert (info.encoding, info.segments, info.length) == (encoding, segments, length)


def test_smart_punctuation_becomes_gsm():
    text = "\u201cThanks\u201d \u2013 we\u2019ll be there\u2026"
    assert sms_normalise(text) == '"Thanks" - we\'ll be there...'
    assert sms_segments(sms_normalise(text)).encoding == GSM7


def test_a_fixable_character_is_named_in_a_warning():
    info = sms_segments("We\u2019re on our way")
    assert info.encoding == UCS2
    assert any("GSM-7" in w for w in info.warnings)


def test_a_warning_above_two_segments_only():
    assert not sms_segments("a" * 306).warnings
    assert any("3 segments" in w for w in sms_segments("a" * 307).warnings)


def test_batch_estimate_counts_normalised_segments_and_rounds_cost_up():
    bodies = ["hello", "a" * 161, "\u201chi\u201d"]
    assert sms_batch_estimate(bodies, price_per_segment_pence=4) == (4, 16)
    assert sms_batch_estimate(["x"], price_per_segment_pence=3.2) == (1, 4)
    assert sms_batch_estimate([], price_per_segment_pence=4) == (0, 0)
