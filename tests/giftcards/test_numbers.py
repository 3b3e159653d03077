import pytest

from giftcards import services
from giftcards.models import format_number


def test_generated_numbers_have_16_digits_and_a_valid_check_digit():
    for _i in range(200):
        number = services.generate_number()
        assert len(number) == 16 and number.isdigit()
        assert number[0] != "0"
        assert services.is_valid_number(number)


def test_known_luhn_check_digit():
    # The classic Luhn example 7992739871 has check digit 3.
    assert services.luhn_check_digit("7992739871") == "3"


def test_check_digit_catches_every_single_digit_typo():
    number = services.generate_number()
    for pos in range(16):
        for digit in "0123456789":
            if digit == number[pos]:
                continue
            typo = number[:pos] + digit + number[pos + 1 :]
            assert not services.is_valid_number(typo)


def test_check_digit_catches_swapped_neighbours():
    number = "4992739871600015"
    number = number[:-1] + services.luhn_check_digit(number[:-1])
    for pos in range(15):
        a, b = number[pos], number[pos + 1]
        if a == b or {a, b} == {"0", "9"}:  # the one swap Luhn cannot see
            continue
        swapped = number[:pos] + b + a + number[pos + 2 :]
        assert not services.is_valid_number(swapped)


def test_numbers_are_shown_in_groups_of_four_and_typed_with_spaces():
    number = services.generate_number()
    shown = format_number(number)
    assert shown == f"{number[0:4]} {number[4:8]} {number[8:12]} {number[12:16]}"
    assert services.check_number_format(shown) == number
    assert services.check_number_format(shown.replace(" ", "-")) == number


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Please enter the gift card number."),
        ("1234", "A gift card number has 16 digits. Please check it."),
        ("abcd efgh ijkl mnop", "A gift card number has 16 digits. Please check it."),
    ],
)
def test_malformed_numbers_get_a_precise_message(text, message):
    with pytest.raises(services.GiftCardError) as exc:
        services.check_number_format(text)
    assert exc.value.message == message


def test_wrong_check_digit_is_called_a_typo():
    number = services.generate_number()
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    with pytest.raises(services.GiftCardError) as exc:
        services.check_number_format(wrong)
    assert exc.value.message == "This number has a typo — please check it."
    assert exc.value.field == "giftcard_number"
