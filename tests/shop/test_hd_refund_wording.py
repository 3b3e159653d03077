"""What the customer reads about a refund is true when they read it: while the payout of a
credit note through the payment method is pending ("Refund pending"), the e-mail, the credit
note PDF and the order page say the amount *will* be paid back — how, as far as the order knows
(card, transfer back, cash on delivery) — and what is already back on the gift card or the
account credit; once the operator records the payout (``mark_refunded``), they say it was
refunded, and the customer gets a short e-mail that the money has gone out."""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from giftcards import services as giftcard_services
from orders import emails, pdf, services
from orders.models import CreditNote, Order
from shop.mail import written
from shop.models import OutboxEmail, PaymentMethod
from tests.factories import PaymentMethodFactory, UserFactory
from tests.orders.test_documents import pdf_text

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def prepayment(db):
    return PaymentMethodFactory(
        code="prepay", name="Bank transfer", kind=PaymentMethod.Kind.PREPAYMENT
    )


@pytest.fixture
def cod(db):
    return PaymentMethodFactory(code="cod", name="Cash on delivery", kind=PaymentMethod.Kind.COD)


def reload(order):
    return Order.objects.get(pk=order.pk)


def one_line(text):
    return " ".join(text.split())


def refund_email(order, template="order_refunded"):
    return written(OutboxEmail.objects.filter(template=template, to=[order.email]).latest("pk"))


def paid_and_refunded(make_order, method=None, **fields):
    """An order paid (card: captured on the invoice; else marked paid) and refunded in full."""
    if method is not None:
        fields["payment_method_id"] = method.pk
    order = make_order(**fields)
    if method is not None:
        services.mark_paid(order)
    services.create_invoice(order)
    services.refund_order(order)
    return reload(order), CreditNote.objects.get(invoice__order=order)


# --- the e-mail with the credit note --------------------------------------------------------


def test_a_card_refund_still_to_pay_out_is_not_called_refunded(make_order):
    order, note = paid_and_refunded(make_order)
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
    email = refund_email(order)
    assert email.subject == f"Your order {order.number} is being refunded"
    text = one_line(email.body_text)
    assert "has been refunded" not in text and "has been refunded" not in email.body_html
    assert f"we have credited your order {order.number} in full" in text
    assert f"which cancels invoice {note.invoice.number}" in text
    assert "We refund €24.90 by the payment method you used" in text
    assert "We refund €24.90 by the payment method you used" in one_line(email.body_html)


def test_a_transfer_back_is_announced_and_the_gift_card_share_is_back_at_once(
    make_order, prepayment
):
    card = giftcard_services.issue_cards(D("20.00"), 1)[0]
    order, note = paid_and_refunded(make_order, prepayment, giftcard_number=card.number)
    assert (note.giftcard_total, note.paid_total) == (D("20.00"), D("4.90"))
    card.refresh_from_db()
    assert card.balance == D("20.00")  # back already
    text = one_line(refund_email(order).body_text)
    assert "Back on your gift card already: €20.00" in text
    assert "We will transfer €4.90 back to the account your payment came from" in text
    assert "has been refunded" not in text


def test_cash_on_delivery_says_it_is_paid_back_by_transfer(make_order, cod):
    order, _note = paid_and_refunded(make_order, cod)
    text = one_line(refund_email(order).body_text)
    assert "We will pay back €24.90 by bank transfer" in text
    assert "we will ask you for them" in text


def test_account_credit_share_is_named_as_back_already(make_order, prepayment):
    customer = UserFactory()
    staff = UserFactory(is_staff=True, is_superuser=True)
    account = giftcard_services.account_for(customer)
    giftcard_services.adjust_account(account, D("10.00"), "goodwill", staff)
    order, note = paid_and_refunded(
        make_order, prepayment, customer=customer, email=customer.email, use_credit=True
    )
    assert note.credit_total == D("10.00") and note.paid_total == D("14.90")
    text = one_line(refund_email(order).body_text)
    assert "Back in your account credit already: €10.00" in text
    assert "We will transfer €14.90 back" in text


def test_an_order_paid_by_gift_card_alone_is_refunded_at_once(make_order):
    card = giftcard_services.issue_cards(D("50.00"), 1)[0]
    order = make_order(giftcard_number=card.number)
    services.create_invoice(order)
    services.refund_order(order)
    order = reload(order)
    assert order.payment_status == Order.PaymentStatus.REFUNDED
    email = refund_email(order)
    assert email.subject == f"Your order {order.number} has been refunded"
    text = one_line(email.body_text)
    assert f"your order {order.number} has been refunded in full" in text
    assert "Back on your gift card already: €24.90" in text
    assert "We refund" not in text and "We will" not in text


def test_an_unpaid_invoice_credited_in_full_is_not_called_refunded(make_order, invoice_payment):
    order = make_order(payment_method_id=invoice_payment.pk)
    services.create_invoice(order)
    services.refund_order(order)
    order = reload(order)
    email = refund_email(order)
    assert email.subject == f"Your order {order.number} has been credited in full"
    text = one_line(email.body_text)
    assert "refunded" not in text
    assert "please do not pay it" in text


def test_the_rest_credited_by_the_final_note_while_its_payout_is_pending(make_order, prepayment):
    order = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(order)
    services.create_invoice(order)
    services.create_credit_note(order, {order.lines.get().pk: 1})  # the goods, not shipping
    services.refund_order(order)  # the rest: shipping
    order = reload(order)
    text = one_line(refund_email(order).body_text)
    assert f"we have now credited the rest of your order {order.number}" in text
    assert "We will transfer €4.90 back" in text
    assert "refunded in full" not in text


def test_a_partial_credit_note_by_transfer_names_how_it_is_paid_back(make_order, prepayment):
    order = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(order)
    services.create_invoice(order)
    note = services.create_credit_note(order, {order.lines.get().pk: 1})
    text = one_line(refund_email(order, "order_credit_note").body_text)
    assert f"we have credited part of your order {order.number}" in text
    assert f"We will transfer €{note.paid_total} back to the account your payment came from" in text


def test_a_final_credit_note_sent_again_is_not_called_partial(make_order):
    order, note = paid_and_refunded(make_order)
    services.mark_refunded(note)
    services.send_credit_note(note)
    email = refund_email(order, "order_credit_note")
    assert email.subject == f"Credit note {note.number} for your order {order.number}"
    text = one_line(email.body_text)
    assert "credited part of" not in text
    assert f"your order {order.number} has been refunded in full" in text
    assert re.search(r"€24\.90 refunded via Credit card on \S", text)


def test_the_email_is_written_in_the_order_language(make_order):
    order, _note = paid_and_refunded(make_order, language="de")
    email = refund_email(order)
    assert email.body_text.startswith("Hallo ")  # "Hello {{ name }}," is translated
    # the payout sentence of a card refund exists in German: the German one is used
    assert "Wir erstatten 24,90" in one_line(email.body_text)
    assert '<html lang="de"' in email.body_html


# --- the credit note PDF ----------------------------------------------------------------------


def test_the_credit_note_pdf_says_pending_then_refunded(make_order, prepayment):
    order, note = paid_and_refunded(make_order, prepayment)
    text = one_line(pdf_text(pdf.credit_note_pdf_bytes(note.pk)))
    assert "has been refunded" not in text and "Your order has been refunded" not in text
    assert f"This credit note cancels invoice {note.invoice.number} in full." in text
    assert "We will transfer €24.90 back to the account your payment came from" in text

    services.mark_refunded(note)
    text = one_line(pdf_text(pdf.credit_note_pdf_bytes(note.pk)))
    assert "Your order has been refunded." in text
    # paid back by bank transfer: to the bank account, not "via Bank transfer"
    assert re.search(r"€24\.90 transferred back to your bank account on \S", text)
    assert "We will transfer" not in text


def test_the_credit_note_pdf_in_german_uses_the_german_texts(make_order):
    order, note = paid_and_refunded(make_order, language="de")
    with translation.override("en"):  # whatever the caller's language: the order's
        text = one_line(pdf_text(pdf.credit_note_pdf_bytes(note.pk)))
    assert f"Rechnungskorrektur {note.number}" in text
    assert "Wir erstatten 24,90" in text


# --- the customer's order page ------------------------------------------------------------


def test_the_order_page_shows_the_gift_card_share_and_the_pending_payout(
    client, make_order, prepayment
):
    customer = UserFactory()
    card = giftcard_services.issue_cards(D("20.00"), 1)[0]
    order, note = paid_and_refunded(
        make_order, prepayment, customer=customer, email=customer.email, giftcard_number=card.number
    )
    client.force_login(customer)
    page = one_line(re.sub(r"<[^>]+>", " ", client.get(order.get_absolute_url()).content.decode()))
    assert "Refund pending" in page
    assert "Back on your gift card already: €20.00" in page
    assert "We will transfer €4.90 back to the account your payment came from" in page

    services.mark_refunded(note)
    page = one_line(re.sub(r"<[^>]+>", " ", client.get(order.get_absolute_url()).content.decode()))
    assert "Refund pending" not in page and "We will transfer" not in page
    assert re.search(r"€4\.90 transferred back to your bank account on \S", page)
    assert "Back on your gift card already: €20.00" in page


# --- "your refund has been paid out" ------------------------------------------------------


def test_the_paid_out_email_names_the_amount_the_note_and_the_method(make_order, prepayment):
    order, note = paid_and_refunded(make_order, prepayment, language="de")
    services.mark_refunded(note)
    OutboxEmail.objects.filter(template="order_refund_paid_out").delete()
    emails.refund_paid_out(reload(order), note.paid_total, credit_note=note)
    email = written(OutboxEmail.objects.get(template="order_refund_paid_out"))
    assert email.to == [order.email]
    assert email.body_text.startswith("Hallo ") and '<html lang="de"' in email.body_html
    assert order.number in email.subject and "24,90" in email.subject
    # (its German text comes with the translations) paid back by bank transfer: to the bank
    # account, not "via Bank transfer"
    assert note.number in email.body_text and "Bank transfer" not in email.body_text


def test_the_paid_out_email_of_a_canceled_order(make_order, prepayment):
    order = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(order)
    services.cancel_order(order)
    order = reload(order)
    emails.refund_paid_out(order, order.payout_due)
    email = written(OutboxEmail.objects.get(template="order_refund_paid_out"))
    assert email.subject == f"Your refund of €24.90 for order {order.number} has been paid out"
    assert (
        f"we have transferred €24.90 back to your bank account for your canceled order "
        f"{order.number}." in one_line(email.body_text)
    )


def test_no_paid_out_email_to_an_erased_address(make_order, prepayment):
    order, note = paid_and_refunded(make_order, prepayment)
    Order.objects.filter(pk=order.pk).update(email=f"deleted-{order.number}@invalid")
    assert emails.refund_paid_out(reload(order), note.paid_total, credit_note=note) is None
    assert not OutboxEmail.objects.filter(template="order_refund_paid_out").exists()


def test_marking_the_payout_done_tells_the_customer_after_commit(
    make_order, prepayment, mailoutbox, django_capture_on_commit_callbacks
):
    """Needs ``emails.refund_paid_out(locked, note.paid_total, credit_note=note)`` in
    ``orders.services.refunds.mark_refunded`` (inside its transaction)."""
    order, note = paid_and_refunded(make_order, prepayment)
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_refunded(note)
    sent = [m for m in mailoutbox if "has been paid out" in m.subject]
    assert len(sent) == 1 and sent[0].to == [order.email]
    assert "€24.90" in sent[0].subject
