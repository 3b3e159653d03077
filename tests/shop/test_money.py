from decimal import Decimal

import pytest

from shop.money import CENT, ZERO, money


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.345", "2.35"),  # half up, not to even
        ("2.325", "2.33"),
        ("2.344", "2.34"),
        ("-2.345", "-2.35"),  # away from zero
        (7, "7.00"),
        (Decimal("19.999"), "20.00"),
    ],
)
def test_money_rounds_half_up_to_the_cent(value, expected):
    assert money(value) == Decimal(expected)
    assert money(value).as_tuple().exponent == -2


def test_constants():
    assert ZERO == Decimal("0.00") and str(ZERO) == "0.00"
    assert CENT == Decimal("0.01")


def test_every_app_rounds_with_the_same_function():
    from orders import models as order_models
    from vouchers import services as voucher_services

    assert order_models.money is money
    assert voucher_services.money is money
