"""Postcodes are checked by the real UK shapes; anything else is refused with the reason."""

import pytest

from volunteers.postcode_shapes import (
    PostcodeError,
    district_normalise,
    postcode_district,
    postcode_is_district,
    postcode_normalise,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("b23 6ab", "B23 6AB"),
        ("B236AB", "B23 6AB"),
        (" wv1  1aa ", "WV1 1AA"),  # a person's spaces are forgiven between the two halves
        ("B15 2TT", "B15 2TT"),
        ("sw1a1aa", "SW1A 1AA"),  # AA9A
        ("W1A 0AX", "W1A 0AX"),  # A9A
        ("EC1V 9HQ", "EC1V 9HQ"),
        ("M1 1AE", "M1 1AE"),  # A9
        ("CV10 7QJ", "CV10 7QJ"),  # AA99
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_real_shapes_are_accepted(raw, expected):
    assert postcode_normalise(raw) == expected


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("B23-6AB", "has '-' in it"),
        ("B23.6AB", "has '.' in it"),
        ("B23_6AB", "has '_' in it"),
        ("B23\u200b6AB", "an invisible character (zero width space, U+200B)"),
        ("B23\t6AB", "has a tab in it"),
        ("B23 6AB\u00a0x", "no-break space"),
        ("B23 6CB", "its last two letters are never C, I, K, M, O or V, and this has C"),
        ("B23 6AI", "and this has I"),
        ("B23 6KA", "and this has K"),
        ("B23 6MA", "and this has M"),
        ("B23 6OA", "and this has O"),
        ("B23 6AV", "and this has V"),
        ("QA1 1AA", "none starts with Q"),
        ("V1 1AA", "none starts with V"),
        ("XB1 1AA", "none starts with X"),
        ("BJ1 1AA", "none has J as its second letter"),
        ("BZ1 1AA", "none has Z as its second letter"),
        ("W1L 1AA", "no district ends in the letter L after W"),
        ("EC1C 9AA", "no district ends in the letter C after EC"),
        ("B2 36AB", "a space in the wrong place"),
        ("B23", "only a postcode district; the full postcode is needed"),
        ("12345", "not the shape of a UK postcode"),
        ("B23 6A", "not the shape of a UK postcode"),
        ("B23 6ABC", "not the shape of a UK postcode"),
        ("", "A postcode is needed"),
        ("   ", "A postcode is needed"),
    ],
)
def test_everything_else_is_refused_with_the_reason(raw, reason):
    with pytest.raises(PostcodeError) as refused:
        postcode_normalise(raw)
    assert reason in str(refused.value)
    assert "like B23 6AB" in str(refused.value) or not raw.strip()


def test_a_stray_character_is_never_stripped_into_a_postcode():
    """B23-6AB once became B23 6AB: a dash (or an invisible character) is refused, not removed."""
    for raw in ("B23-6AB", "B23.6AB", "B23_6AB", "B23\u200b6AB", "B2\u200b3 6AB"):
        with pytest.raises(PostcodeError):
            postcode_normalise(raw)
        assert not postcode_is_district(raw)


def test_districts():
    assert postcode_district("b23 6ab") == "B23"
    assert postcode_district("WV14") == "WV14"
    assert district_normalise("sw1a") == "SW1A"
    assert postcode_is_district("b23") and not postcode_is_district("B23 6AB")
    with pytest.raises(PostcodeError, match="none starts with Q"):
        district_normalise("Q1")
    with pytest.raises(PostcodeError, match="not the shape"):
        postcode_district("nowhere")
