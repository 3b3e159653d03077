"""VAT identification numbers of business customers (EU VAT IDs, e.g. ``DE123456788``).

Format and check digits are verified per member state by python-stdnum (``stdnum.eu.vat``);
whether the number is *registered* can only be asked of the EU's VIES service
(:mod:`customers.vies`, before an order goes out without VAT). IDs are stored upper-case
without spaces or punctuation.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError

# VAT-ID prefixes that are not the ISO country code of the member state.
_PREFIX_COUNTRY = {"EL": "GR", "XI": "GB"}

# The EU member states by ISO 3166 code: the shop's one list (reverse charge, export
# deliveries), python-stdnum's — less "XI", Northern Ireland's VAT-ID prefix, not a country.
EU_COUNTRIES = frozenset(code.upper() for code in eu_vat.MEMBER_STATES) - {"XI"}


def in_eu(country):
    """Is ``country`` (an ISO 3166 code) an EU member state?"""
    return (country or "").upper() in EU_COUNTRIES


def normalize_vat_id(value):
    """``de 123.456-788`` → ``DE123456788`` (empty stays empty; anything else is only
    compacted here and refused by :func:`validate_vat_id`)."""
    plain = re.sub(r"[\s\-./,:]", "", value or "").upper()
    try:
        return eu_vat.compact(plain).upper() if plain else ""
    except StdnumError:
        return plain


def validate_vat_id(value):
    """Raise ``ValidationError`` unless ``value`` is an EU VAT ID with a valid check digit."""
    number = normalize_vat_id(value)
    if not number:
        return
    if number[:2] not in {p.upper() for p in eu_vat.MEMBER_STATES} | {"EL"}:
        raise ValidationError(
            _("Enter an EU VAT ID starting with the country code, e.g. DE123456788."),
            code="vat_id_country",
        )
    try:
        eu_vat.validate(number)
    except StdnumError:
        raise ValidationError(
            _("%(value)s is not a valid VAT ID (wrong length or check digit).") % {"value": number},
            code="vat_id_invalid",
        ) from None


def vat_id_country(vat_id):
    """ISO country code of the member state that issued ``vat_id`` (``EL…`` → ``GR``)."""
    prefix = normalize_vat_id(vat_id)[:2]
    return _PREFIX_COUNTRY.get(prefix, prefix)


def is_valid_vat_id(value):
    try:
        validate_vat_id(value)
    except ValidationError:
        return False
    return bool(normalize_vat_id(value))
