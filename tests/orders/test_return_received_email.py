"""The customer hears that their returned parcel has arrived (they heard nothing until the
refund or the rejection): which items, and that the credit note follows — once, in the
order's language."""

from decimal import Decimal

import pytest

from orders import services
from orders.models import Order
from shop.mail import written
from shop.models import OutboxEmail
from tests.factories import ProductFactory

from .factories import ship_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(make_order):
    lamp = ProductFactory(name="Lamp", price=Decimal("30.00"), stock=5)
    order = make_order({lamp.pk: 2}, language="pl")
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    return Order.objects.get(pk=order.pk)


def test_receiving_a_return_tells_the_customer_once(delivered):
    ret = services.create_return(delivered, {delivered.lines.get().pk: 1}, "defective")
    assert not OutboxEmail.objects.filter(template="order_return_received").exists()
    services.receive_return(ret, {ret.lines.get().pk: ("damaged", False)})
    sent = written(OutboxEmail.objects.get(template="order_return_received"))
    assert sent.subject == f"Twój zwrot {ret.number} dotarł do nas"
    for body in (sent.body_text, sent.body_html):
        text = " ".join(body.split())
        assert f"zwrot {ret.number} do zamówienia {delivered.number} dotarł do nas" in text
        assert "1 × Lamp" in text
    with pytest.raises(services.OrderError):
        services.receive_return(ret, {})
    assert OutboxEmail.objects.filter(template="order_return_received").count() == 1
