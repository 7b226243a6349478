import pytest

from volunteers.phones import InvalidPhone, phone_display, phone_mask, phone_normalise


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("07700 900123", "+447700900123"),
        ("07700900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("+44 (0)7700 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("(07912) 345-678", "+447912345678"),
        (" 07912 345678 ", "+447912345678"),
        ("0121 496 0000", "+441214960000"),
        ("+33 6 12 34 56 78", "+33612345678"),
    ],
)
def test_numbers_people_write_are_stored_in_e164(raw, expected):
    assert phone_normalise(raw) == expected


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("", "no phone number"),
        ("   ", "no phone number"),
        ("not a number", "is not a phone number"),
        ("12345", "not a valid phone number"),
        ("07912 34567", "not a valid phone number"),
        ("079123456789012", "not a valid phone number"),
    ],
)
def test_bad_numbers_are_rejected_with_a_reason(raw, reason):
    with pytest.raises(InvalidPhone, match=reason):
        phone_normalise(raw)


def test_a_volunteer_number_must_take_texts():
    with pytest.raises(InvalidPhone, match="cannot receive text messages"):
        phone_normalise("0121 496 0000", require_mobile=True)
    assert phone_normalise("07912 345678", require_mobile=True) == "+447912345678"


def test_display_and_mask():
    assert phone_display("+447700900123") == "07700 900123"
    assert phone_display("+447912345678") == "07912 345678"
    assert phone_mask("+447700900123") == "**********123"
