"""What an order says about its payment, one rule for the invoice (PDF and page), the order
confirmation, the customer's order pages and the backoffice: gift card and account credit
with their amounts, then the payment method for the rest — no payment method where nothing
was left to pay by it; "Amount due" only while something is due, what the method paid once
it has been paid (Order.paid_by_method, Order.due_now)."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from giftcards import services as giftcard_services
from orders import links, pdf, services
from orders.models import Order
from shop.mail import written
from shop.models import OutboxEmail
from tests.factories import ProductFactory

from .test_documents import pdf_text

pytestmark = pytest.mark.django_db
D = Decimal


def plain(text):
    return " ".join(text.replace("\xa0", " ").split())


def visible(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return plain(re.sub(r"<[^>]+>", " ", html))


def tfoot(html):
    return visible(re.search(r"<tfoot[^>]*>.*?</tfoot>", html, flags=re.S).group(0))


def confirmation(order):
    email = next(
        written(e)
        for e in OutboxEmail.objects.filter(template="order_confirmation")
        if order.number in written(e).subject
    )
    return plain(email.body_text), visible(email.body_html)


def pages(client, order):
    """The account's order page, the guest status page and the backoffice order page."""
    client.force_login(order.customer)
    account = client.get(reverse("orders:account_order", args=[order.number]))
    listing = client.get(reverse("orders:account_orders"))
    with translation.override("en"):
        guest = client.get(links.status_path(order))
    assert account.status_code == guest.status_code == listing.status_code == 200
    return account.content.decode(), guest.content.decode(), listing.content.decode()


def backoffice(staff, order):
    admin_client = Client()
    admin_client.force_login(staff)
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    return visible(re.search(r"<h2>Payment</h2>.*?</table>", html, flags=re.S).group(0))


@pytest.fixture
def kettle(db):
    return ProductFactory(name="Kettle", price=D("40.00"), tax_rate=D("19.00"))


def test_an_order_paid_by_gift_card_names_no_payment_method_and_nothing_due(
    client, staff, make_order, customer, kettle
):
    card = giftcard_services.issue_cards(D("100.00"), 1)[0]
    order = make_order(
        {kettle.pk: 1}, customer=customer, email=customer.email, giftcard_number=card.number
    )
    assert order.amount_due == 0 and order.giftcard_total == order.grand_total
    paid = f"€{order.grand_total}"

    text, html = confirmation(order)
    for body in (text, html):
        assert "Paid by gift card" in body and paid in body
        assert "Payment method" not in body and "Credit card" not in body
        assert "Amount due" not in body and "Already paid" not in body
        assert "Nothing is left to pay" in body

    account, guest, listing = pages(client, order)
    for page in (account, guest):
        totals = tfoot(page)
        assert f"Paid by gift card −{paid}" in totals
        assert "Amount due" not in totals and "Already paid" not in totals
        assert "Credit card" not in visible(page.split("<footer")[0])
    assert "Credit card" not in visible(listing.split("<footer")[0])
    panel = backoffice(staff, order)
    assert f"Paid by gift card {paid}" in panel
    assert "Method" not in panel and "Amount due" not in panel

    invoice = services.create_invoice(order)
    document = plain(pdf_text(pdf.invoice_pdf_bytes(invoice.pk)))
    assert f"Paid by gift card: {paid}" in document
    assert "Payment method" not in document and "Credit card" not in document
    invoice_page = client.get(reverse("orders:account_invoice", args=[order.number]))
    assert "Payment method" not in visible(invoice_page.content.decode())


def test_a_part_paid_by_gift_card_shows_the_rest_due_then_paid_by_the_method(
    client, staff, make_order, customer, kettle
):
    card = giftcard_services.issue_cards(D("10.00"), 1)[0]
    order = make_order(
        {kettle.pk: 1}, customer=customer, email=customer.email, giftcard_number=card.number
    )
    rest = order.grand_total - D("10.00")
    assert order.amount_due == rest > 0
    assert order.payment_status == Order.PaymentStatus.AUTHORIZED  # the card holds the rest

    text, html = confirmation(order)
    assert "Paid by gift card: −€10.00" in text and f"Amount due: €{rest}" in text
    assert "Payment method: Credit card" in text and f"We charge €{rest}" in text
    assert f"Amount due €{rest}" in html and "Payment method: Credit card" in html

    account, guest, _listing = pages(client, order)
    for page in (account, guest):
        totals = tfoot(page)
        assert "Paid by gift card −€10.00" in totals and f"Amount due €{rest}" in totals
    assert f"Amount due €{rest}" in backoffice(staff, order)

    # the invoice captures the card: paid, nothing due any more — on every page
    invoice = services.create_invoice(order)
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    account, guest, _listing = pages(client, order)
    for page in (account, guest):
        totals = tfoot(page)
        assert "Paid by gift card −€10.00" in totals
        assert f"Already paid – Credit card −€{rest}" in totals
        assert "Amount due" not in totals
    panel = backoffice(staff, order)
    assert f"Paid €{rest}" in panel and "Amount due" not in panel
    assert "Method Credit card" in panel

    document = plain(pdf_text(pdf.invoice_pdf_bytes(invoice.pk)))
    assert "Paid by gift card: €10.00" in document
    assert f"Payment method: Credit card (€{rest})" in document
    invoice_page = visible(
        client.get(reverse("orders:account_invoice", args=[order.number])).content.decode()
    )
    assert "Paid by gift card: €10.00" in invoice_page
    assert f"Payment method: Credit card (€{rest})" in invoice_page


def test_a_canceled_order_part_paid_by_gift_card_owes_nothing(
    client, make_order, customer, kettle, invoice_payment
):
    card = giftcard_services.issue_cards(D("10.00"), 1)[0]
    order = make_order(
        {kettle.pk: 1},
        customer=customer,
        email=customer.email,
        giftcard_number=card.number,
        payment_method_id=invoice_payment.pk,
    )
    account, _guest, _listing = pages(client, order)
    assert "Amount due" in tfoot(account)
    services.cancel_order(order)
    account, guest, _listing = pages(client, Order.objects.get(pk=order.pk))
    for page in (account, guest):
        assert "Amount due" not in tfoot(page) and "Already paid" not in tfoot(page)
