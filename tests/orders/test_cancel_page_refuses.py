"""The cancel confirmation page is not offered for an order that cannot be canceled (it
promised stock back and a payout for a shipped, partly refunded order, and the button then
failed): it answers with the reason the cancellation would give."""

import pytest
from django.urls import reverse

from orders import services
from orders.models import Order
from tests.orders.factories import ship_all

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "step, reason",
    [
        (lambda o: services.create_shipment(o, ship_all(o)), "has already been shipped"),
        (lambda o: services.create_invoice(o), "refund it instead of canceling it"),
        (lambda o: services.cancel_order(o), "cannot be canceled"),
    ],
)
def test_the_page_refuses_up_front(admin_client, make_order, step, reason):
    order = make_order()
    step(order)
    response = admin_client.get(reverse("admin:orders_order_cancel", args=[order.pk]), follow=True)
    assert any(reason in str(m) for m in response.context["messages"])
    # back on the order page, no confirmation offered
    assert response.redirect_chain[-1][0] == reverse("admin:orders_order_change", args=[order.pk])
    assert "Yes, cancel the order" not in response.content.decode()


def test_an_open_order_gets_the_confirmation(admin_client, make_order):
    order = make_order()
    response = admin_client.get(reverse("admin:orders_order_cancel", args=[order.pk]))
    assert response.status_code == 200 and "Yes, cancel the order" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING
