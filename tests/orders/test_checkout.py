from decimal import Decimal

import pytest

from orders.models import Order
from orders.services import CheckoutError
from shop.models import OutboxEmail
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_totals_per_tax_rate_with_shipping(make_order):
    a = ProductFactory(price=Decimal("11.90"), tax_rate=Decimal("19.00"))
    b = ProductFactory(price=Decimal("10.70"), tax_rate=Decimal("7.00"))
    order = make_order({a.pk: 2, b.pk: 1})
    assert order.goods_total == Decimal("34.50")
    assert order.shipping_total == Decimal("4.90")
    assert order.grand_total == Decimal("39.40")
    rows = {row["rate"]: row for row in order.tax_breakdown()}
    assert rows[Decimal("7.00")]["net"] == Decimal("10.00")
    assert rows[Decimal("19.00")]["gross"] == Decimal("28.70")  # 23.80 goods + 4.90 shipping
    assert rows[Decimal("19.00")]["net"] == Decimal("24.12")
    assert sum(r["gross"] for r in rows.values()) == order.grand_total


def test_shipping_free_over_threshold(make_order, product):
    order = make_order({product.pk: 3})  # 60.00 ≥ 50.00
    assert order.shipping_total == Decimal("0.00")
    assert order.grand_total == Decimal("60.00")


def test_guest_checkout_creates_no_account(make_order, django_user_model):
    before = django_user_model.objects.count()
    order = make_order()
    assert order.customer is None
    assert django_user_model.objects.count() == before
    assert OutboxEmail.objects.filter(template="order_confirmation", to=[order.email]).exists()


def test_empty_cart_is_refused(checkout_data):
    from orders.services import place_order

    with pytest.raises(CheckoutError):
        place_order({}, checkout_data())
    assert Order.objects.count() == 0
