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


# As Twilio's segment calculator counts: an escape pair, a surrogate pair or a letter with its
# combining accent that would straddle a segment boundary moves whole into the next segment.
@pytest.mark.parametrize(
    ("body", "encoding", "segments"),
    [
        ("a" * 152 + "€" + "a" * 152, GSM7, 3),  # 306 septets, but € cannot straddle 152|153
        ("a" * 151 + "€" + "a" * 153, GSM7, 2),  # the same length, € fits in the first segment
        ("a" * 152 + "^" + "a" * 152, GSM7, 3),
        ("ж" * 66 + "😀" + "ж" * 66, UCS2, 3),  # 134 units, but the emoji cannot straddle 66|67
        ("ж" * 65 + "😀" + "ж" * 67, UCS2, 2),
        ("ж" * 66 + "e\u0301" + "ж" * 66, UCS2, 3),  # é written as e + combining acute
        ("ж" * 66 + "👍🏽" + "ж" * 64, UCS2, 3),  # an emoji with its skin tone is one character
        ("ж" * 66 + "🇬🇧" + "ж" * 64, UCS2, 3),  # a flag is two regional letters together
        ("ж" * 63 + "🇬🇧" + "ж" * 63, UCS2, 2),
        ("ж" * 60 + "🇬🇧🇵🇱" + "ж" * 66, UCS2, 3),
    ],
)
def test_segments_are_counted_as_twilio_counts_them(body, encoding, segments):
    info = sms_segments(body)
    assert (info.encoding, info.segments) == (encoding, segments)


def test_an_escape_character_in_a_body_is_not_gsm7():
    assert sms_segments("hello \x1b world").encoding == UCS2


def test_a_backtick_is_smart_encoded_like_a_quote():
    assert sms_normalise("it`s") == "it's"
    assert sms_segments(sms_normalise("it`s")).encoding == GSM7


@pytest.mark.parametrize(
    "text",
    [
        "Zoë Łukasiewicz, Flat 2, Ćwik Court, 5 Łąka Road",
        "زینب بی بی، 14 گرین لین",  # Urdu
        "ਗੁਰਪ੍ਰੀਤ ਕੌਰ ਨੂੰ ਦਵਾਈ ਚਾਹੀਦੀ ਹੈ",  # Punjabi (Gurmukhi, with vowel signs)
        "Ashraf 👍🏽 🇬🇧",
    ],
)
def test_letters_outside_gsm7_are_kept_and_make_the_text_ucs2(text):
    assert sms_normalise(text) == text
    assert sms_segments(text).encoding == UCS2
