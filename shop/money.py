"""Money: the constants and the rounding every app computes amounts with.

Amounts are ``Decimal`` with two places. ``money()`` rounds a computed amount (a percentage,
a net from a gross) to the cent the commercial way, half up; it is the only rounding rule of
the shop.
"""

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def money(value):
    """``value`` rounded to the cent, half up: ``money("2.345") == Decimal("2.35")``."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
