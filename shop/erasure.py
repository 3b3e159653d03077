"""Erasure helpers shared by the apps' ``erasure`` modules (receivers of ``customer_deleting``)."""

import re

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


def phone_pattern(number):
    """A regular expression matching ``number`` however it is written: any separators
    between the digits, with or without the international prefix (``+48``, ``0048``) or the
    national trunk zero (``040`` for ``+49 40``). The country code's length is not known
    from the number alone, so a number given with its prefix is matched with each of the
    1–3-digit country codes it may start with; every variant keeps PHONE_MIN_DIGITS."""
    number = (number or "").strip()
    digits = phone_digits(number)
    if not digits:
        return None
    international = number.startswith("+") or digits.startswith("00")
    if digits.startswith("00"):
        digits = digits[2:]
    if international:
        nationals = [digits[k:] for k in (1, 2, 3)]
    else:
        nationals = [digits[1:] if digits.startswith("0") else digits]
    nationals = [n.lstrip("0") for n in nationals]
    nationals = sorted({n for n in nationals if len(n) >= PHONE_MIN_DIGITS}, key=len, reverse=True)
    if not nationals:
        return None
    prefix = (
        r"(?:\(?(?:\+|00)"
        + _PHONE_SEPARATORS
        + r"\d{1,3}"
        + _PHONE_SEPARATORS
        + r"(?:\(0\)"
        + _PHONE_SEPARATORS
        + r")?|0"
        + _PHONE_SEPARATORS
        + r")?"
    )
    body = "|".join(_spread(n) for n in nationals)
    return re.compile(r"(?<![\w+])" + prefix + r"(?:" + body + r")(?!\d)")


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
