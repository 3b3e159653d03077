"""The e-mail of a full refund lists what its credit note credits, line by line, as the
e-mail of a partial credit note does: it named only the shipping, so a customer read it as
if only the shipping had been refunded (found by a backoffice walk-through)."""

from decimal import Decimal

import pytest

from orders import services
from orders.models import Order
from shop.mail import written
from shop.models import OutboxEmail
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def plain(text):
    return " ".join(text.replace("\xa0", " ").split())


def test_the_full_refund_e_mail_lists_the_goods_shipping_and_total(make_order):
    jam = ProductFactory(name="Strawberry jam", price=Decimal("6.50"), tax_rate=Decimal("7.00"))
    order = make_order({jam.pk: 2})
    services.create_invoice(order)
    services.refund_order(Order.objects.get(pk=order.pk))
    email = written(OutboxEmail.objects.get(template="order_refunded"))
    text, html = plain(email.body_text), plain(email.body_html)
    for body in (text, html):
        assert "2 × Strawberry jam" in body and "−€13.00" in body
        assert "Shipping" in body and "−€4.90" in body
        assert "Credit-note total" in body and "−€17.90" in body
