"""What the invoice says about its payment is true in every payment state (the PDF is
rendered anew each time it is printed): paid, to be transferred, reduced or cancelled by credit
notes before the payment, collected on delivery, and a card authorization voided before the
invoice — the card is not charged, so the amount is open and to be transferred."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from orders import pdf, services
from orders.models import Order
from shop.models import OutboxEmail
from tests.factories import PaymentMethodFactory

pytestmark = pytest.mark.django_db

IBAN = "DE34 2005 0550 1234 5678 90"
TRANSFER = {
    "en": "Please transfer",
    "de": "Bitte überweisen Sie",
    "pl": "Prosimy o przelew kwoty",
    "da": "Overfør venligst",
}
COLLECTED = {
    "en": "Amount to be collected",
    "de": "Einzuziehender Betrag",
    "pl": "Kwota do pobrania",
    "da": "Beløb, der trækkes",
}
NOT_CHARGED = "The card payment was not taken and your card will not be charged"


def invoice_text(invoice):
    """The PDF's text, printed now (with the order as it is now), its line breaks and spaces
    evened out."""
    data = pdf.invoice_pdf_bytes(invoice.pk)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.replace("\xa0", " ").split())


def voided_invoice(order):
    services.void_authorization(order)
    return services.create_invoice(order)


@pytest.mark.parametrize("language", ["en", "de", "pl", "da"])
def test_a_voided_card_authorization_is_open_not_collected_in_the_orders_language(
    make_order, language
):
    order = make_order(language=language)
    invoice = voided_invoice(order)
    assert Order.objects.get(pk=order.pk).payment_status == Order.PaymentStatus.UNPAID
    text = invoice_text(invoice)
    assert COLLECTED[language] not in text
    assert TRANSFER[language] in text and IBAN in text
    assert f"{invoice.number}" in text.split(IBAN)[1]  # the reference after the bank details


def test_a_voided_card_invoice_says_the_card_will_not_be_charged(make_order):
    order = make_order()  # 20.00 + 4.90 shipping
    text = invoice_text(voided_invoice(order))
    assert NOT_CHARGED in text
    assert "Please transfer €24.90 within 14 days" in text


def test_a_captured_card_payment_is_paid(make_order):
    text = invoice_text(services.create_invoice(make_order()))
    assert "Paid on" in text
    assert "Please transfer" not in text and "Amount to be collected" not in text


def test_a_voided_card_invoice_is_paid_once_the_transfer_arrived(make_order):
    order = make_order()
    invoice = voided_invoice(order)
    services.mark_paid(order)
    text = invoice_text(invoice)
    assert "Paid on" in text
    assert NOT_CHARGED not in text and "Please transfer" not in text


def test_a_credit_before_the_payment_lowers_the_amount_to_transfer(
    make_order, product, invoice_payment
):
    order = make_order({product.pk: 3}, payment_method_id=invoice_payment.pk)  # 60.00
    invoice = services.create_invoice(order)
    services.create_credit_note(order, {order.lines.get().pk: 1})  # 20.00 off what is due
    text = invoice_text(invoice)
    assert "The amount due has since been reduced by €20.00 (credit notes)." in text
    assert "Please transfer €40.00 within 14 days" in text


def test_an_invoice_credited_in_full_before_the_payment_asks_for_nothing(
    make_order, invoice_payment
):
    order = make_order(payment_method_id=invoice_payment.pk)
    invoice = services.create_invoice(order)
    services.refund_order(order)
    assert Order.objects.get(pk=order.pk).payment_status == Order.PaymentStatus.UNPAID
    text = invoice_text(invoice)
    assert "credited in full before it was paid: nothing is owed" in text
    assert "Please transfer" not in text


def test_cash_on_delivery_is_collected(make_order):
    cod = PaymentMethodFactory(code="cod", name="Cash on delivery", kind="cod")
    invoice = services.create_invoice(make_order(payment_method_id=cod.pk))
    assert "Amount to be collected: €24.90." in invoice_text(invoice)


def test_the_invoice_email_of_a_voided_card_asks_for_a_transfer(make_order):
    order = make_order()
    services.send_invoice(voided_invoice(order))
    mail = OutboxEmail.objects.get(template="order_invoice")
    text = " ".join(mail.body_text.split())
    assert NOT_CHARGED in text and "Please transfer €24.90 by " in text


def test_the_invoice_email_asks_for_what_credit_notes_left_open(
    make_order, product, invoice_payment
):
    """The e-mail says what the PDF says (one rule, ``pdf.payment_terms``): after a credit
    note it asks for the rest, not the invoice's full amount."""
    order = make_order({product.pk: 3}, payment_method_id=invoice_payment.pk)  # 60.00
    invoice = services.create_invoice(order)
    services.create_credit_note(order, {order.lines.get().pk: 1})
    services.send_invoice(invoice)
    mail = OutboxEmail.objects.get(template="order_invoice")
    for body in (mail.body_text, mail.body_html):
        text = " ".join(body.split())
        assert "reduced by €20.00 (credit notes)" in text
        assert "Please transfer €40.00 by " in text and "€60.00 by" not in text


def test_the_invoice_email_of_a_fully_credited_invoice_asks_for_nothing(
    make_order, invoice_payment
):
    order = make_order(payment_method_id=invoice_payment.pk)
    invoice = services.create_invoice(order)
    services.refund_order(order)
    services.send_invoice(invoice)
    text = " ".join(OutboxEmail.objects.get(template="order_invoice").body_text.split())
    assert "nothing is owed, please do not pay it" in text and "Please transfer" not in text


def test_the_invoice_email_of_cash_on_delivery_says_it_is_collected(make_order):
    cod = PaymentMethodFactory(code="cod", name="Cash on delivery", kind="cod")
    invoice = services.create_invoice(make_order(payment_method_id=cod.pk))
    services.send_invoice(invoice)
    text = " ".join(OutboxEmail.objects.get(template="order_invoice").body_text.split())
    assert "Amount to be collected: €24.90." in text and "Please transfer" not in text


def test_the_account_invoice_page_of_a_voided_card_asks_for_a_transfer(
    client, make_order, customer
):
    order = make_order(customer=customer, email=customer.email)
    voided_invoice(order)
    client.force_login(customer)
    page = client.get(reverse("orders:account_invoice", args=[order.number])).content.decode()
    assert NOT_CHARGED in page and "Please transfer €24.90" in page


def test_the_invoice_form_does_not_promise_to_capture_a_voided_card(admin_client, make_order):
    order = make_order()
    url = reverse("admin:orders_order_invoice", args=[order.pk])
    assert "is captured when the invoice is created" in admin_client.get(url).content.decode()
    services.void_authorization(order)
    page = admin_client.get(url).content.decode()
    assert "is captured when the invoice is created" not in page
    assert "mark the order as paid when the money has arrived" in page
