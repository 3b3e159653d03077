"""Postcodes as each country writes them: the one rule of the address book and the checkout.

For the countries with a rule (the ones the checkout delivers to) a postcode must have that
country's form; it is stored the way the post writes it, whatever spaces, dashes or country
prefix a customer typed ("10 115" → "10115", "00950" → "00-950", "DK-1050" → "1050").
Any other country's postcode is kept as typed (only trimmed): its form is not checked.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PostcodeRule:
    pattern: str  # what the postcode is without spaces (groups: its parts)
    example: str  # a real postcode, shown in the error message
    written: str = "{0}"  # how the parts are written

    def normalise(self, compact):
        found = re.fullmatch(self.pattern, compact, flags=re.ASCII)
        return self.written.format(*found.groups()) if found else None


RULES = {
    "DE": PostcodeRule(r"([0-9]{5})", "10115"),
    "AT": PostcodeRule(r"([0-9]{4})", "1010"),
    "DK": PostcodeRule(r"([0-9]{4})", "1050"),
    # Written NN-NNN; typed without the dash just as often.
    "PL": PostcodeRule(r"([0-9]{2})-?([0-9]{3})", "00-950", "{0}-{1}"),
    "CH": PostcodeRule(r"([0-9]{4})", "8001"),
}

# The prefix letters of the old European postcode style ("D-10115", "A-1010").
_OLD_PREFIXES = {"DE": "D", "AT": "A"}
_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


def normalise_postcode(value, country):
    """``value`` as ``country`` writes its postcodes; raises ``ValidationError`` (code
    ``postcode``) naming the expected form when it is not one. A country without a rule:
    ``value`` trimmed."""
    value = (value or "").strip()
    rule = RULES.get((country or "").upper())
    if rule is None:
        return value
    compact = _DASHES.sub("-", _SPACES.sub("", value)).upper()
    prefixes = [country.upper(), _OLD_PREFIXES.get(country.upper())]
    compact = re.sub(rf"^(?:{'|'.join(p for p in prefixes if p)})-?", "", compact)
    written = rule.normalise(compact)
    if written is None:
        raise ValidationError(
            _("Please enter a postcode like %(example)s."),
            code="postcode",
            params={"example": rule.example},
        )
    return written
