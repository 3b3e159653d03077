"""Erasure helpers shared by the apps' ``erasure`` modules (receivers of ``customer_deleting``)."""

import re

# --- what the shop's core keeps under a person's e-mail address -----------------------------
#
# Rows of the lowest layer that only an address ties to a person (the login throttle's
# records, back-in-stock notices). The shop cannot hear ``customer_deleting`` (a signal of
# the customers app above it): each kind registers a ``forget(*addresses) -> rows deleted``
# here in ``ShopConfig.ready()`` (shop.personal_data.declare), and the customers app's
# receivers of ``customer_deleting`` and ``guest_deleting`` call :func:`forget_addresses`.

_address_data = {}


def register_address_data(name, forget):
    """Declare ``forget(*addresses)``: deletes the rows kept under those addresses (any
    case) and returns how many. A second registration of ``name`` replaces the first."""
    _address_data[name] = forget


def forget_addresses(*addresses):
    """Delete everything the shop's core keeps under ``addresses``: {name: rows deleted}."""
    return {name: forget(*addresses) for name, forget in _address_data.items()}


# What may stand between the digits of a phone number as people write it: spaces, dashes,
# dots, slashes and brackets ("+48 (601) 777-313", "0601.777.313").
_PHONE_SEPARATORS = r"[\s\-./()]*"
_PHONE_CHARACTERS = re.compile(r"^\+?[\d\s\-./()]+$")
# Fewer digits are no phone number but a house number, a postcode, an amount.
PHONE_MIN_DIGITS = 6


def phone_digits(number):
    """The digits of ``number`` when it is written like a phone number with at least
    PHONE_MIN_DIGITS digits, else "" (a name, a street, an e-mail address)."""
    number = (number or "").strip()
    if not _PHONE_CHARACTERS.match(number):
        return ""
    digits = re.sub(r"\D", "", number)
    return digits if len(digits) >= PHONE_MIN_DIGITS else ""


def _spread(digits):
    return _PHONE_SEPARATORS.join(re.escape(d) for d in digits)


# ITU-T E.164 country calling codes are prefix-free: 1 and 7 are the one-digit codes, these
# the two-digit ones, every other code has three digits. So the code a number starts with is
# known exactly, and with it the national number.
_ONE_DIGIT_CODES = frozenset({"1", "7"})
_TWO_DIGIT_CODES = frozenset(
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 "
    "63 64 65 66 81 82 84 86 90 91 92 93 94 95 98".split()
)


def country_code(digits):
    """The E.164 country calling code ``digits`` (an international number without its
    ``+``/``00``) starts with: "1", "49", "420"."""
    if digits[:1] in _ONE_DIGIT_CODES:
        return digits[:1]
    if digits[:2] in _TWO_DIGIT_CODES:
        return digits[:2]
    return digits[:3]


def _any_country_code():
    """A regular expression for every country calling code, each matched whole."""
    three = [
        f"{first}{second}"
        for first in "023456789"
        for second in "0123456789"
        if f"{first}{second}" not in _TWO_DIGIT_CODES
    ]
    return (
        "(?:"
        + "|".join(sorted(_ONE_DIGIT_CODES) + sorted(_TWO_DIGIT_CODES))
        + "|(?:"
        + "|".join(three)
        + r")\d)"
    )


# Digits on the other side of a single separator belong to the same longer number (an IBAN,
# a tracking number in groups, a phone number with another country code): not a match.
_NOT_AFTER = r"(?<![\w+])(?<!\d[\s\-./])"
_NOT_BEFORE = r"(?!\d)(?![\s\-./]\d)"


def phone_pattern(number):
    """A regular expression matching ``number`` however it is written: any separators
    between the digits, with or without the international prefix (``+48``, ``0048``) or the
    national trunk zero (``040`` for ``+49 40``, also ``+49 (0)40``).

    A number given with its prefix has exactly one national number (``country_code``), and
    only its own country code may stand before it: "+49 30 1234567" does not match
    "+49 40 1234567", "+48 30 1234567" or "1.234.567". A number given without one (a
    national "030 1234567") may be written with any country code. The national number keeps
    PHONE_MIN_DIGITS; digits right before or after it (across one separator) make it part of
    another number."""
    number = (number or "").strip()
    digits = phone_digits(number)
    if not digits:
        return None
    international = number.startswith("+") or digits.startswith("00")
    if digits.startswith("00"):
        digits = digits[2:]
    if international:
        code = country_code(digits)
        national = digits[len(code) :]
        code_pattern = _spread(code)
    else:
        national = digits
        code_pattern = _any_country_code()
    national = national.lstrip("0")  # the trunk zero, "(0)" included
    if len(national) < PHONE_MIN_DIGITS:
        return None
    sep = _PHONE_SEPARATORS
    with_code = r"\(?(?:\+|00)" + sep + code_pattern + sep + r"(?:\(0\)" + sep + r"|0" + sep + r")?"
    trunk = r"\(?0" + sep
    prefix = r"(?:" + with_code + r"|" + trunk + r")?"
    return re.compile(_NOT_AFTER + prefix + _spread(national) + _NOT_BEFORE)


def scrub(text, needles, replacements):
    """Replace each needle in ``text`` by its replacement: whole words only, any case.

    ``needles`` and ``replacements`` pair up one to one; empty needles are skipped, so an
    unset name or address never matches everything. A needle may be a compiled regular
    expression (a phone number, ``phone_pattern``).
    """
    for needle, replacement in zip(needles, replacements, strict=True):
        if needle and text:
            if isinstance(needle, re.Pattern):
                text = needle.sub(lambda _m, r=replacement: r, text)
                continue
            pattern = r"(?<!\w)" + re.escape(needle) + r"(?!\w)"
            text = re.sub(pattern, lambda _m, r=replacement: r, text, flags=re.IGNORECASE)
    return text
