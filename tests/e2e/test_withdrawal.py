"""A guest withdraws from a delivered order in a real browser (issue 20): the footer link,
step 1 (identify the contract), step 2 ("Confirm withdrawal", showing what will be sent),
the acknowledgement e-mail at once, and the operator's "needs attention" tile."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orders import services as order_services
from orders.aftersales import Withdrawal
from orders.services import CheckoutData, place_order
from shop.models import OutboxEmail, PaymentMethod, Product, ShippingMethod

from .test_scenarios import backoffice_login

pytestmark = pytest.mark.e2e

BILLING = {
    "first_name": "Maja",
    "last_name": "Nowak",
    "street": "Kastanienweg 4",
    "postcode": "10405",
    "city": "Berlin",
    "country": "DE",
}


def delivered_guest_order(email):
    products = Product.objects.filter(sku__in=["KIT-001", "PAN-002"])
    order = place_order(
        {p.pk: 1 for p in products},
        CheckoutData(
            email=email,
            billing=dict(BILLING),
            shipping_method_id=ShippingMethod.objects.get(name="DHL Paket").pk,
            payment_method_id=PaymentMethod.objects.get(code="card").pk,
            language="en",
        ),
    )
    order_services.create_invoice(order)
    shipment = order_services.create_shipment(
        order, {line.pk: line.quantity for line in order.lines.all()}
    )
    order_services.set_delivered(shipment, timezone.localdate())
    return order


def test_guest_withdraws_from_a_delivered_order(demo_shop, live_server, new_page, snapshot):
    base = live_server.url
    email = "maja.nowak@example.org"
    order = delivered_guest_order(email)
    recorded = Withdrawal.objects.count()  # the demo shop has some already

    page = new_page("guest")
    page.goto(f"{base}/products/kit-001/")
    page.locator("footer").get_by_role("link", name="Withdraw from contract here").click()
    expect(page.get_by_role("heading", name="Withdraw from contract")).to_be_visible()
    page.get_by_label("Your name").fill("Maja Nowak")
    page.get_by_label("E-mail address used for the order").fill(email)
    page.get_by_label("Order number").fill(order.number)
    page.get_by_label("Which items?").fill("The enamel coffee pot")
    snapshot(page, "step1")
    page.get_by_role("button", name="Continue").click()

    # Step 2 shows what will be sent; nothing is recorded before the confirmation.
    expect(page.get_by_role("heading", name="Confirm withdrawal")).to_be_visible()
    statement = page.locator(".statement")
    expect(statement).to_contain_text(
        f"I hereby withdraw from my contract of sale (order {order.number})"
    )
    expect(statement).to_contain_text("The enamel coffee pot")
    assert Withdrawal.objects.count() == recorded
    snapshot(page, "step2")
    page.get_by_role("button", name="Confirm withdrawal").click()

    expect(page.get_by_role("heading", name="Your withdrawal has been sent")).to_be_visible()
    expect(page.locator(".statement")).to_contain_text("Received")
    withdrawal = Withdrawal.objects.get(email=email)
    assert withdrawal.order == order and not withdrawal.is_late
    ack = OutboxEmail.objects.get(template="order_withdrawal_received", to=[email])
    assert ack.to == [email] and order.number in ack.subject
    assert "The enamel coffee pot" in ack.body_text

    # A wrong e-mail address gets exactly the same page and no e-mail.
    page.goto(f"{base}/withdraw/")
    page.get_by_label("Your name").fill("Maja Nowak")
    page.get_by_label("E-mail address used for the order").fill("someone@example.org")
    page.get_by_label("Order number").fill(order.number)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Confirm withdrawal").click()
    expect(page.get_by_role("heading", name="Your withdrawal has been sent")).to_be_visible()
    assert OutboxEmail.objects.filter(template="order_withdrawal_received", to=[email]).count() == 1
    assert Withdrawal.objects.filter(email="someone@example.org", order__isnull=True).exists()

    # The operator sees the new withdrawals on the start page.
    operator = new_page("operator")
    backoffice_login(operator, base, "admin@example.com")
    tile = operator.get_by_role("link", name=re.compile("New withdrawals"))
    expect(tile).to_contain_text("3")  # two from the browser, one unmatched from the demo
    tile.click()
    expect(operator.get_by_role("link", name=order.number).first).to_be_visible()
