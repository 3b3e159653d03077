"""The customer's pages never say "Refunded" for money still to be paid out: a partial
credit note, a refunded return and the full refund say "Refund pending" until the operator
records the payout via the payment method (orders.services.lifecycle.refund_status)."""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from orders import links, services
from orders.models import CreditNote, Order
from tests.factories import ProductFactory, UserFactory

from .factories import ship_all

pytestmark = pytest.mark.django_db
D = Decimal


def visible(html):
    html = html.split("<footer")[0]
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def customer_pages(client, order):
    client.force_login(order.customer)
    with translation.override("en"):
        guest = client.get(links.status_path(order)).content.decode()
    account = client.get(order.get_absolute_url()).content.decode()
    return visible(account), visible(guest)


def test_a_refunded_return_and_its_order_say_refund_pending_until_paid_out(client, make_order):
    customer = UserFactory()
    lamp = ProductFactory(name="Lamp", price=D("30.00"))
    order = make_order({lamp.pk: 2}, customer=customer, email=customer.email)
    services.create_invoice(order)  # card: captured
    services.create_shipment(order, ship_all(order))
    ret = services.create_return(order, {order.lines.get().pk: 1}, "defective")
    services.refund_return(ret)
    order = Order.objects.get(pk=order.pk)
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
    for page in customer_pages(client, order):
        assert "Refund pending" in page
        assert "Refunded" not in page and "refunded via" not in page
        assert "We refund €30.00 by the payment method you used" in page

    services.mark_refunded(CreditNote.objects.get(invoice__order=order))
    for page in customer_pages(client, Order.objects.get(pk=order.pk)):
        assert "Refund pending" not in page
        assert "Partly refunded" in page and f"{ret.number}" in page
        assert re.search(rf"{ret.number} .*? Refunded", page)
        assert "€30.00 refunded via Credit card on" in page
