"""The customer page's money (issue 18, point 8): the sum of all orders leaves canceled and
fully refunded orders out, and every amount shows with two decimals and the currency."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from orders.services import cancel_order, create_invoice, refund_order
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_sum_of_orders_leaves_out_canceled_and_refunded_orders(admin_client, make_order, customer):
    kept = make_order(customer=customer)  # 24.90
    cancel_order(make_order(customer=customer))
    refunded = make_order({ProductFactory(price=Decimal("99.99")).pk: 1}, customer=customer)
    create_invoice(refunded)
    refund_order(refunded)
    html = admin_client.get(reverse("admin:customers_user_change", args=[customer.pk])).content
    html = html.decode()
    assert "1 order (not canceled or refunded), together €24.90" in html
    assert kept.grand_total == Decimal("24.90")


def test_open_amount_and_limit_show_the_currency(admin_client, make_order, customer):
    make_order(customer=customer)
    html = admin_client.get(reverse("admin:customers_user_change", args=[customer.pk])).content
    block = html.decode().split('id="open-amount"')[1].split("</table>")[0]
    assert "<strong>€24.90</strong>" in block and "<strong>€500.00</strong>" in block
    assert "€475.10" in block
    assert not re.search(r"\d+\.\d{3,}", block)
