"""A paid order canceled before its invoice says how its money comes back in the words of
``emails/_refund_payout.txt``, by the payment method's kind — the same sentence the credit-note
e-mails, PDF and pages use: transferred back for prepayment and invoice, by bank transfer (the
bank details asked for) for cash on delivery, by the payment method only for a card. The
account's order page and the guest order-status page say it alike; once paid back, they and
the paid-out e-mail name the card, or say a bank transfer went back to the bank account. The e-mail telling of the cancellation says it as well."""

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from orders import links, services
from orders.models import Order
from shop.mail import written
from shop.models import OutboxEmail, PaymentMethod
from tests.factories import PaymentMethodFactory, UserFactory

pytestmark = pytest.mark.django_db

TRANSFER_BACK = "We will transfer €24.90 back to the account your payment came from"
BANK_DETAILS = "We will pay back €24.90 by bank transfer; if we do not have your bank details"
CARD = "We refund €24.90 by the payment method you used"

METHODS = {
    # kind: (method name, the sentence while the payout is pending)
    PaymentMethod.Kind.CARD: ("Credit card", CARD),
    PaymentMethod.Kind.PREPAYMENT: ("Bank transfer", TRANSFER_BACK),
    PaymentMethod.Kind.INVOICE: ("Pay on invoice", TRANSFER_BACK),
    PaymentMethod.Kind.COD: ("Cash on delivery", BANK_DETAILS),
}
OTHERS = {CARD, TRANSFER_BACK, BANK_DETAILS}


def visible(html):
    html = html.split("<footer")[0]
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def one_line(text):
    return " ".join(text.split())


def paid_and_canceled(make_order, kind):
    name, _sentence = METHODS[kind]
    method = PaymentMethodFactory(code=f"m-{kind}", name=name, kind=kind)
    customer = UserFactory()
    order = make_order(customer=customer, email=customer.email, payment_method_id=method.pk)
    services.mark_paid(order)  # a card: its authorisation captured
    services.cancel_order(order)
    order = Order.objects.get(pk=order.pk)
    assert (
        order.payout_due == Decimal("24.90")
        and order.payment_status == Order.PaymentStatus.REFUND_PENDING
    )
    return order


def pages(client, order):
    """The account's order page and the guest order-status page, as the customer reads them."""
    client.force_login(order.customer)
    account = client.get(order.get_absolute_url())
    client.logout()
    with translation.override("en"):
        guest = client.get(links.status_path(order))
    assert account.status_code == guest.status_code == 200
    return visible(account.content.decode()), visible(guest.content.decode())


@pytest.mark.parametrize("kind", list(METHODS))
def test_each_page_says_how_the_money_comes_back_by_the_payment_method(client, make_order, kind):
    order = paid_and_canceled(make_order, kind)
    name, sentence = METHODS[kind]
    # the shared text, as the credit-note e-mail and PDF print it for this kind of payment
    with translation.override("en"):
        shared = render_to_string(
            "emails/_refund_payout.txt",
            {"amount": "€24.90", "method": name, "kind": kind, "done_on": ""},
        )
    assert shared.startswith(sentence)
    for page in pages(client, order):
        assert shared in page
        assert "Refund pending" in page
        for other in OTHERS - {sentence}:
            assert other not in page
        assert "paid back via" not in page

    services.mark_cancellation_refunded(order)
    order = Order.objects.get(pk=order.pk)
    for page in pages(client, order):
        if kind == PaymentMethod.Kind.CARD:
            assert f"€24.90 paid back via {name} on" in page
        else:  # a bank transfer: to the bank account, not "via Bank transfer"
            assert "€24.90 transferred back to your bank account on" in page
            assert "paid back via" not in page
        assert not any(text in page for text in OTHERS)


@pytest.mark.parametrize("kind", list(METHODS))
def test_no_e_mail_promises_another_way_and_the_paid_out_one_names_the_method(make_order, kind):
    order = paid_and_canceled(make_order, kind)
    name, sentence = METHODS[kind]
    mails = [written(mail) for mail in OutboxEmail.objects.filter(to=[order.email])]
    # a payment the shop records (not a card's capture) is confirmed by e-mail
    received = {"order_payment_received"} if kind != "card" else set()
    assert {mail.template for mail in mails} == {"order_confirmation", "order_canceled"} | received
    for mail in mails:
        for text in (one_line(mail.body_text), one_line(mail.body_html)):
            assert not any(other in text for other in OTHERS - {sentence})
            assert (sentence in text) == (mail.template == "order_canceled")

    services.mark_cancellation_refunded(order)
    mail = written(
        OutboxEmail.objects.filter(template="order_refund_paid_out", to=[order.email]).get()
    )
    text = one_line(mail.body_text)
    if kind == PaymentMethod.Kind.CARD:
        assert f"we have paid back €24.90 via {name} for your canceled order {order.number}" in text
    else:  # a bank transfer: to the bank account, not "via Bank transfer"
        assert (
            f"we have transferred €24.90 back to your bank account for your canceled order "
            f"{order.number}." in text
        )
    assert not any(sentence in text for sentence in OTHERS)
