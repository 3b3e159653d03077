"""format_money writes a plain amount with a shape read off Babel's output once per locale and
currency (shop.money.MoneyShape): it must write exactly what Babel writes, but for the minus
sign of a negative amount (U+2212, as the documents print it, not Babel's hyphen)."""

from decimal import Decimal

import pytest
from babel.numbers import format_currency

from shop import money
from shop.money import MONEY_LOCALES, format_money

AMOUNTS = [
    "0", "0.01", "0.5", "-0.5", "1", "9.99", "12.30", "123.45", "999.99", "1000", "1234.56",
    "-1234.56", "12345.67", "100000", "999999.99", "1000000", "-1000000", "1234567.89",
    "98765432.10", "-0.004", "0.005", "2.345",
]  # fmt: skip


@pytest.mark.parametrize("language", sorted(MONEY_LOCALES))
@pytest.mark.parametrize("currency", ["EUR", "PLN", "DKK", "USD", "GBP", "CHF", "SEK"])
def test_the_fast_shape_writes_what_babel_writes(language, currency):
    locale = money._babel_locale(MONEY_LOCALES[language])
    assert money._money_shape(MONEY_LOCALES[language], currency) is not None
    for text in AMOUNTS:
        expected = format_currency(money.money(Decimal(text)), currency, locale=locale)
        expected = expected.replace("-", "\u2212", 1)
        assert format_money(Decimal(text), currency, language) == expected, text


def test_a_currency_babel_writes_otherwise_is_left_to_babel():
    # The yen has no cents, the Bahraini dinar three decimals: no plain two-decimal shape.
    assert money._money_shape("de_DE", "JPY") is None
    assert money._money_shape("en_IE", "BHD") is None
    locale = money._babel_locale("de_DE")
    assert format_money(Decimal("1234.56"), "JPY", "de") == format_currency(
        Decimal("1234.56"), "JPY", locale=locale
    )


@pytest.mark.parametrize(
    "language, expected",
    [
        ("de", "\u221275,00\xa0€"),
        ("pl", "\u221275,00\xa0€"),
        ("da", "\u221275,00\xa0€"),
        ("en", "\u2212€75.00"),
    ],
)
def test_a_negative_amount_has_the_minus_sign_in_every_language(language, expected):
    assert format_money(Decimal("-75"), "EUR", language) == expected
    assert format_money(Decimal("-75"), "JPY", language).startswith("\u2212")  # Babel's path
    assert format_money(Decimal("-75.5"), "EUR", language, exact=True).startswith("\u2212")


def test_no_number_is_written_as_babel_writes_it():
    assert format_money(Decimal("NaN"), "EUR", "de") == format_currency(
        Decimal("NaN"), "EUR", locale=money._babel_locale("de_DE")
    )
    assert format_money("Infinity", "EUR", "de") == "Infinity"


@pytest.mark.parametrize(
    "language, expected",
    [
        ("de", ["19\xa0%", "5,5\xa0%", "0\xa0%"]),
        ("da", ["19\xa0%", "5,5\xa0%", "0\xa0%"]),
        ("pl", ["19%", "5,5%", "0%"]),
        ("en", ["19%", "5.5%", "0%"]),
    ],
)
def test_a_vat_rate_is_written_as_the_language_writes_a_percentage(language, expected):
    from shop.money import format_percent

    rates = [Decimal("19.00"), Decimal("5.50"), Decimal("0.00")]
    assert [format_percent(rate, language) for rate in rates] == expected


def test_a_rate_is_written_in_the_active_language_each_time():
    """Cached by rate alone, the first language that wrote "19%" wrote it for every later
    reader (a German sales report read "VAT 19%" after a Polish one)."""
    from django.utils import translation

    from shop.money import format_percent

    with translation.override("pl"):
        assert format_percent(Decimal("19.00")) == "19%"
    with translation.override("de"):
        assert format_percent(Decimal("19.00")) == "19\xa0%"
