"""Money: the constants, the rounding every app computes amounts with, and the one definition
of what an amount typed into the shop may be.

Amounts are ``Decimal`` with two places. ``money()`` rounds a computed amount (a percentage,
a net from a gross) to the cent the commercial way, half up; it is the only rounding rule of
the shop.

Typed amounts (backoffice forms, command arguments) are never rounded: an amount with more
than two decimals is refused, and so is one beyond ``MAX_AMOUNT``, which keeps every sum the
shop builds from such amounts inside its database columns (``max_digits=10`` and more). Forms
use :class:`MoneyField` (or :func:`money_validators` on model fields), commands
:func:`money_option`, services :func:`parse_money`.

A typed number has one decimal separator, a comma or a point — "12,50" as German, Polish and
Danish staff write it, "12.50" as in English — and no grouping: "1.234,50" is refused, and
"1.500" has three decimals, so it is refused as an amount instead of read as 1.50
(:func:`normalise_decimal`). Forms show numbers in the reader's language ("34,90").
"""

import copy
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, MaxValueValidator, MinValueValidator
from django.utils import formats
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ZERO = Decimal("0.00")
# Constraints that add amounts up compare within this. SQLite (the `make run` file) computes
# decimals as floats, so 0.10 + 0.20 is not exactly 0.30 there; PostgreSQL's numeric
# columns hold whole cents, where "within a tenth of a cent" means "equal".
SUM_TOLERANCE = Decimal("0.001")
CENT = Decimal("0.01")
# The largest amount anyone may type: one million in the shop currency. Far above any real
# price, limit or adjustment, far below the columns' 99,999,999.99.
MAX_AMOUNT = Decimal("1000000.00")


def money(value):
    """``value`` rounded to the cent, half up: ``money("2.345") == Decimal("2.35")``."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_max():
    """``MAX_AMOUNT`` as the reader's language writes an amount."""
    return format_money(MAX_AMOUNT)


class MoneyError(ValueError):
    """A typed amount that is not a usable amount of money; ``message`` says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


def _shown(value, limit=40):
    """The input as an error message may echo it: one line (whitespace and control
    characters collapsed), at most ``limit`` characters."""
    text = " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# A typed number: ASCII digits, at most one decimal comma or point, an optional sign. What
# Python's Decimal() would read besides — "1_000", "1e3", "Infinity", Arabic-Indic or
# full-width digits — is no amount anyone types on purpose.
_TYPED_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")


def normalise_decimal(value):
    """Typed text with a decimal comma as Python reads it: "12,50" → "12.50". Raises
    ``ValueError`` for text that is not a plain number — grouped ("1.234,50", "1,234.50"),
    with underscores, an exponent or digits other than 0–9."""
    text = str(value).strip()
    if not _TYPED_NUMBER.fullmatch(text):
        raise ValueError(f"not a typed number: {text!r}")
    return text.replace(",", ".")


def parse_money(value, *, maximum=MAX_AMOUNT):
    """``value`` (text, number) as an amount with two places, or ``MoneyError``.

    Refused: what is not a finite number, more than two decimal places (never rounded), and
    more than ``maximum`` either way (signs are the caller's business: an adjustment may be
    negative, a price may not).
    """
    try:
        amount = value if isinstance(value, Decimal) else Decimal(normalise_decimal(value))
    except (InvalidOperation, ValueError, TypeError):
        raise MoneyError(_("“%(value)s” is not an amount.") % {"value": _shown(value)}) from None
    if not amount.is_finite():
        raise MoneyError(_("“%(value)s” is not an amount.") % {"value": _shown(value)})
    if abs(amount) > maximum:  # first: quantize() fails on huge numbers
        raise MoneyError(_("The amount can be at most %(max)s.") % {"max": format_money(maximum)})
    # As typed: "1.500" (a German thousand) is refused, not read as 1.50.
    typed_places = not isinstance(value, Decimal) and amount.as_tuple().exponent < -2
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP) or typed_places:
        raise MoneyError(_("An amount has at most two decimal places."))
    return amount.quantize(CENT)


def money_option(value, option):
    """A command's money argument ``option`` (e.g. ``--amount``) as an amount, or the one-line
    ``CommandError`` every command prints for bad input."""
    from django.core.management.base import CommandError

    if value is None:
        return None
    try:
        return parse_money(value)
    except MoneyError as exc:
        raise CommandError(f"{option}: {exc.message}") from None


class ShownLimit:
    """A validator's limit as the reader's language writes it — "0,00 €", "1.000.000,00 €",
    "100" — worked out when the message is shown, not when the validator runs."""

    def __init__(self, value, money):
        self.value, self.money = value, money

    def __str__(self):
        if self.money:
            return format_money(self.value)
        return formats.number_format(self.value, use_l10n=True, force_grouping=True)


class _LocalLimit:
    """A Min/MaxValueValidator whose message writes its limit in the reader's language (Django
    writes ``str(limit)``: "größer oder gleich 0.00"). ``money``: the limit is an amount."""

    def __init__(self, limit_value, message=None, *, money=False):
        super().__init__(limit_value, message)
        self.money = money

    def __call__(self, value):
        cleaned = self.clean(value)
        limit = self.limit_value() if callable(self.limit_value) else self.limit_value
        if self.compare(cleaned, limit):
            params = {"limit_value": ShownLimit(limit, self.money), "show_value": cleaned}
            raise ValidationError(self.message, code=self.code, params={**params, "value": value})

    def __eq__(self, other):
        return super().__eq__(other) and self.money == other.money


@deconstructible
class AtLeast(_LocalLimit, MinValueValidator):
    """At least ``limit_value``, said in the reader's language."""


@deconstructible
class AtMost(_LocalLimit, MaxValueValidator):
    """At most ``limit_value``, said in the reader's language."""


def localised_limit(validator, money=False):
    """A form field's own Min/MaxValueValidator as :class:`AtLeast`/:class:`AtMost`."""
    kind = {MinValueValidator: AtLeast, MaxValueValidator: AtMost}.get(type(validator))
    if kind is None:
        return validator
    return kind(validator.limit_value, money=money)


def money_validators(minimum=ZERO):
    """Validators of a money model field: at least ``minimum``, at most ``MAX_AMOUNT`` (the
    two decimal places come from the field's ``decimal_places``), their messages with the
    limit written as an amount in the reader's language."""
    return [AtLeast(minimum, money=True), AtMost(MAX_AMOUNT, money=True)]


class LocalDecimalField(forms.DecimalField):
    """A decimal number as staff and customers type it: shown in the reader's language
    ("34,90"), read with a decimal comma or point (:func:`normalise_decimal`). A text input
    with the decimal keypad: ``type="number"`` would show "34.90" whatever the language."""

    widget = forms.TextInput
    limits_are_money = False  # its minimum and maximum are written as numbers

    def __init__(self, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
        self.validators = [localised_limit(v, self.limits_are_money) for v in self.validators]

    def to_python(self, value):
        if isinstance(value, str) and value.strip() not in self.empty_values:
            try:
                value = normalise_decimal(value)
            except ValueError:
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid"
                ) from None
        return super().to_python(value)

    def run_validators(self, value):
        """One message for one input: its digits first, then its range. "0,001" is refused
        for its third decimal place — not also, in a second message, as less than 0.01."""
        if value in self.empty_values:
            return
        digits_first = sorted(self.validators, key=lambda v: not isinstance(v, DecimalValidator))
        for validator in digits_first:
            try:
                validator(value)
            except ValidationError as error:
                if getattr(error, "code", None) in self.error_messages:
                    error.message = self.error_messages[error.code]
                raise

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal"}


class MoneyField(LocalDecimalField):
    """A form field for an amount: two decimal places at most (more is refused, not rounded),
    between ``min_value`` (default 0) and ``MAX_AMOUNT``."""

    default_error_messages = {
        "invalid": gettext_lazy("Please enter an amount like 25.00."),
    }
    limits_are_money = True

    def __init__(self, *, min_value=ZERO, max_value=MAX_AMOUNT, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


# The CLDR locale whose number and currency conventions each shop language uses: German
# ``1.234,56 €``, Polish ``1 234,56 zł`` (grouped with a no-break space), Danish
# ``1.234,56 kr.``, English ``€1,234.56``.
MONEY_LOCALES = {"de": "de_DE", "pl": "pl_PL", "da": "da_DK", "en": "en_IE"}


def format_money(value, currency=None, language=None, *, exact=False):
    """``value`` as the shop shows an amount of money in ``language`` (default: the active
    language): rounded to the cent, grouped and with the currency sign where that language
    puts it, e.g. ``format_money(Decimal("1234.5"), "EUR", "de") == "1.234,50\\xa0€"``.

    The one place money becomes text: templates use the ``money`` filter
    (``{% load money %}{{ amount|money }}``), e-mails, PDFs and backoffice columns call
    this. ``None`` and the empty string give an empty string; anything else that is not a
    number is shown as it is (never a traceback on a page). A negative amount has the true
    minus sign (U+2212: "−75,00 €"), as the documents print it, not Babel's hyphen.

    ``exact``: not rounded to the cent but with every decimal ``value`` carries (at least
    two) — a net unit price of an e-invoice line has up to four decimals (EN 16931), and the
    PDF shows the figure the XML carries, all prices of a column with the same number of
    decimals ("12,5210 €" above "29,3277 €": the caller gives them one exponent)."""
    from babel.numbers import format_currency
    from django.conf import settings
    from django.utils import translation

    if value is None or value == "":
        return ""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
        amount = amount if exact else money(amount)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    locale = MONEY_LOCALES.get(language, MONEY_LOCALES.get(settings.LANGUAGE_CODE, "en_IE"))
    currency = currency or settings.SHOP_CURRENCY
    if exact and amount.is_finite():
        places = max(2, -amount.as_tuple().exponent)
        pattern = copy.copy(_babel_locale(locale).currency_formats["standard"])
        pattern.frac_prec = (places, places)
        return _minus(
            pattern.apply(amount, _babel_locale(locale), currency=currency, currency_digits=False)
        )
    if not exact and amount.is_finite():
        shape = _money_shape(locale, currency)
        if shape is not None:
            return shape.format(amount)
    return _minus(
        format_currency(
            amount, currency, locale=_babel_locale(locale), decimal_quantization=not exact
        )
    )


def _minus(text):
    """Babel's text of an amount with its hyphen-minus made the minus sign (U+2212)."""
    return text.replace("-", MINUS, 1)


MINUS = "\u2212"


def format_percent(rate, language=None):
    """A VAT rate (in percent: ``Decimal("19.00")``) as ``language`` (default: the active
    language) writes a percentage — "19 %" in German and Danish (a no-break space), "19%"
    in Polish and English, "5,5 %" — the one rule for every page, e-mail and PDF (the
    ``percent`` filter)."""
    from django.conf import settings
    from django.utils import translation

    if rate is None or rate == "":
        return ""
    try:
        value = Decimal(str(rate))
    except (InvalidOperation, ValueError, TypeError):
        return str(rate)
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    locale = MONEY_LOCALES.get(language, MONEY_LOCALES.get(settings.LANGUAGE_CODE, "en_IE"))
    return _percent(value, locale)


@cache
def _percent(value, locale):
    """Babel's percentage of ``value`` in ``locale`` (cached per rate and locale: a shop has a
    handful of rates)."""
    from babel.numbers import format_percent as babel_percent

    return babel_percent(value / 100, locale=_babel_locale(locale), decimal_quantization=False)


class MoneyShape:
    """How Babel writes an amount of one currency in one locale — the text before and after
    the digits (positive and negative), the group and the decimal sign —, read off Babel's own
    output once, so that an amount rounded to the cent is written with one f-string instead of
    Babel's pattern machinery (a tenth of the time: 50 amounts on a backoffice list).
    ``tests/shop/test_money_format.py`` compares both over every shop language and currency."""

    def __init__(self, before, after, negative_before, negative_after, group, decimal):
        self.before, self.after = before, after
        self.negative_before, self.negative_after = negative_before, negative_after
        self.group, self.decimal = group, decimal

    def format(self, amount):
        whole, _dot, cents = f"{abs(amount):,.2f}".partition(".")
        number = whole.replace(",", self.group) + self.decimal + cents
        if amount.is_signed():  # as Babel: "-0,00 €" for a negative amount rounded to 0
            return self.negative_before + number + self.negative_after
        return self.before + number + self.after


# Babel's text of 1,234,567.89 and of 0.50: what is around the digits, the group and the
# decimal sign. Anything else (a currency without cents, a grouping other than by
# thousands, no grouping of four-digit amounts) is not a plain shape: Babel writes it.
_SAMPLE = re.compile(r"(\D*)1(\D+)234(\D+)567(\D+)89(\D*)")


@cache
def _money_shape(locale, currency):
    from babel.numbers import format_currency

    babel_locale = _babel_locale(locale)

    def babel(text):
        return format_currency(Decimal(text), currency, locale=babel_locale)

    positive = _SAMPLE.fullmatch(babel("1234567.89"))
    negative = _SAMPLE.fullmatch(babel("-1234567.89"))
    if positive is None or negative is None:
        return None
    before, group, group2, decimal, after = positive.groups()
    if group != group2 or negative.groups()[1:4] != (group, group, decimal):
        return None
    shape = MoneyShape(
        before, after, _minus(negative.group(1)), _minus(negative.group(5)), group, decimal
    )
    for sample in ("0.50", "-0.50", "1234.50", "-1234.50", "12345.00", "0.00"):
        if shape.format(Decimal(sample)) != _minus(babel(sample)):
            return None
    return shape


@cache
def _babel_locale(code):
    """Babel's Locale of ``code``, parsed once per process: given the code as a string,
    ``format_currency`` parses it again on every call, half the cost of an amount (50 of them
    on a backoffice list)."""
    from babel import Locale

    return Locale.parse(code)
