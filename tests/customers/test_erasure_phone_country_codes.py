"""A phone number is taken out of free text with exactly its own country code: the national
number is known from the E.164 code (prefix-free), so other people's numbers, the shop's
phone, amounts, order, IBAN and tracking numbers that contain the same digits stay (found by
an exploratory test: "+49 30 1234567" scrubbed the "1234567" of the shop's "+49 40 1234567")."""

import pytest

from customers.erasure import scrubber
from shop.erasure import country_code, phone_pattern


@pytest.mark.parametrize(
    ("digits", "code"),
    [
        ("12125551234", "1"),
        ("74951234567", "7"),
        ("49301234567", "49"),
        ("48601777313", "48"),
        ("4528471913", "45"),
        ("420601123456", "420"),
        ("3531234567", "353"),
        ("212612345678", "212"),
        ("97150123456", "971"),
    ],
)
def test_the_country_code_is_known_exactly(digits, code):
    assert country_code(digits) == code


OTHERS = [
    "Shop: +49 40 1234567",
    "Erika +49 171 1234567",
    "amount 1.234.567 EUR",
    "amount 1,234,567.00 EUR",
    "order 100135",
    "ref 1777313",
    "order 1777313",
    "Kowalski +49 601 777 313",
    "IBAN DE89 3704 0044 0601 7773 13",
    "IBAN DE12500105170601777313",
    "IBAN PL61 1090 1014 0000 0712 1981 2874",
    "tracking 00340434161777313000",
    "tracking JJD 0003 4043 1617 7731 3",
    "invoice 2024-601777313-1",
]


@pytest.mark.parametrize("phone", ["+49 30 1234567", "+48 601 777 313", "0048601777313"])
@pytest.mark.parametrize("text", OTHERS)
def test_other_numbers_with_the_same_digits_stay(phone, text):
    assert scrubber([(phone, "Deleted")])(text) == text


@pytest.mark.parametrize(
    "written",
    [
        "+48 601 777 313",
        "0048601777313",
        "0048 601 777 313",
        "601-777-313",
        "(0)601 777 313",
        "(+48) 601 777 313",
        "+48 (0)601 777 313",
    ],
)
def test_the_polish_number_is_scrubbed_in_its_spellings(written):
    clean = scrubber([("+48 601 777 313", "Deleted")])
    assert clean(f"Call {written} please") == "Call Deleted please"


@pytest.mark.parametrize(
    "written",
    ["+49 30 1234567", "+49 (0)30 1234567", "030 1234567", "0049 30 1234567", "030/123 45 67"],
)
@pytest.mark.parametrize("stored", ["+49 30 1234567", "030 1234567", "+49 (0)30 1234567"])
def test_the_german_number_is_scrubbed_in_its_spellings(stored, written):
    clean = scrubber([(stored, "Deleted")])
    assert clean(f"Tel. {written}, thanks") == "Tel. Deleted, thanks"


def test_the_persons_number_goes_and_everything_else_stays_in_one_text():
    clean = scrubber([("+49 30 1234567", "Deleted"), ("+48 601 777 313", "Deleted")])
    text = (
        "Customer called from +49 (0)30 1234567 and 601-777-313; shop line +49 40 1234567, "
        "Erika +49 171 1234567, refund 1.234.567 EUR for order 100135, ref 1777313."
    )
    assert clean(text) == (
        "Customer called from Deleted and Deleted; shop line +49 40 1234567, "
        "Erika +49 171 1234567, refund 1.234.567 EUR for order 100135, ref 1777313."
    )


def test_one_pattern_per_number_with_only_its_own_prefix():
    pattern = phone_pattern("+48 601 777 313")
    assert pattern.search("+48 601 777 313")
    assert not pattern.search("+49 601 777 313")
    assert not pattern.search("1777313")
    assert phone_pattern("+49 30 12") is None  # the national number is too short
