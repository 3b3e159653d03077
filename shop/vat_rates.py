"""The standard VAT rate of each EU member state: what a new product or shipping method of a
seller in that country starts with in the backoffice (shop.admin), so that a Polish or Danish
seller does not sell at Germany's 19 % without noticing.

Rates valid in 2026, including the changes of 2024–2026 (FI 24 → 25.5 % in September 2024,
SK 20 → 23 % and RO 19 → 21 % in 2025, EE 22 → 24 % in July 2025). A rate changes by law now
and then: this table is the one place to follow it. It only fills in a form; what a product
is taxed at is its own ``tax_rate``, which the operator sees and may change."""

from decimal import Decimal

# By ISO 3166 code (Greece is GR here, EL only in its VAT IDs).
STANDARD_VAT_RATES = {
    "AT": Decimal("20"),
    "BE": Decimal("21"),
    "BG": Decimal("20"),
    "CY": Decimal("19"),
    "CZ": Decimal("21"),
    "DE": Decimal("19"),
    "DK": Decimal("25"),
    "EE": Decimal("24"),
    "ES": Decimal("21"),
    "FI": Decimal("25.5"),
    "FR": Decimal("20"),
    "GR": Decimal("24"),
    "HR": Decimal("25"),
    "HU": Decimal("27"),
    "IE": Decimal("23"),
    "IT": Decimal("22"),
    "LT": Decimal("21"),
    "LU": Decimal("17"),
    "LV": Decimal("21"),
    "MT": Decimal("18"),
    "NL": Decimal("21"),
    "PL": Decimal("23"),
    "PT": Decimal("23"),
    "RO": Decimal("21"),
    "SE": Decimal("25"),
    "SI": Decimal("22"),
    "SK": Decimal("23"),
}


def standard_vat_rate(country):
    """The standard VAT rate (per cent) of ``country`` (an ISO 3166 code), or ``None`` for a
    country outside the table: then a form keeps the model's default."""
    return STANDARD_VAT_RATES.get((country or "").strip().upper())
