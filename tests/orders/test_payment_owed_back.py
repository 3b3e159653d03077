"""Money that arrives when nothing is due is recorded, and goes back.

A bank transfer for an order canceled meanwhile (also one canceled with a credit note), or a
second transfer for an order paid already, could not be recorded: "Mark as paid" refused a
canceled or paid order, so the money sat in the bank with nothing in the shop saying it was
owed back. Now Payments records it on the order page ("Record payment received"): all of it
is an overpayment to pay back ("Refund pending", the start page's "Overpayments to pay back",
an e-mail to the customer), paid back like any overpayment. An overpayment paid back before
stays paid back: only the new money is owed.

And "Mark as paid" is applied once per page (a one-time token): a double click on a part
payment recorded it twice."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from orders import services
from orders.models import Order
from shop.mail import written
from shop.models import OutboxEmail
from tests.factories import RoleUserFactory
from tests.formtokens import fresh, page_token

pytestmark = pytest.mark.django_db
D = Decimal
ALREADY_SENT = "This form was already sent; the change was made once."


@pytest.fixture
def order(make_order, prepayment):
    """A prepayment order: 24.90 due."""
    return make_order(payment_method_id=prepayment.pk)


@pytest.fixture
def payments():
    client = Client()
    client.force_login(RoleUserFactory(role="Payments"))
    return client


def reload(order):
    return Order.objects.get(pk=order.pk)


def events(order):
    return [c.display_text for c in reload(order).comments.all()]


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def mail_text(template, order):
    sent = OutboxEmail.objects.filter(template=template, to=[order.email]).latest("pk")
    return " ".join(written(sent).body_text.split())


def test_a_transfer_for_a_canceled_order_is_owed_back_and_paid_back(order):
    services.cancel_order(order)
    services.record_payment_owed_back(order, amount=D("24.90"))
    order = reload(order)
    assert order.status == Order.Status.CANCELED
    assert order.overpaid_total == D("24.90") and order.overpayment_owed == D("24.90")
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
    assert "€24.90 received for the canceled order: to pay back." in events(order)
    text = mail_text("order_payment_received", order)
    assert (
        f"we have received your payment of €24.90 for order {order.number}, which has been "
        "canceled." in text
    )
    assert "We will transfer €24.90 back to the account your payment came from" in text
    assert "Thank you!" not in text

    services.mark_overpayment_paid_back(order)
    order = reload(order)
    assert order.payment_status == Order.PaymentStatus.REFUNDED
    assert order.overpaid_returned_total == D("24.90") and order.overpayment_owed == 0
    assert "Overpayment of €24.90 paid back via Prepayment." in events(order)
    assert "we have transferred €24.90 back to your bank account" in mail_text(
        "order_refund_paid_out", order
    )


def test_a_transfer_for_an_order_canceled_with_a_credit_note_is_owed_back(order):
    services.create_invoice(order)
    services.lifecycle.cancel_with_credit_note(order)
    services.record_payment_owed_back(order, amount=D("24.90"))
    order = reload(order)
    assert order.status == Order.Status.CANCELED and order.overpayment_owed == D("24.90")
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
    services.mark_overpayment_paid_back(order)
    assert reload(order).payment_status == Order.PaymentStatus.REFUNDED


def test_a_second_transfer_after_an_overpayment_was_paid_back_owes_only_itself(order):
    services.mark_paid(order, amount=D("30.00"))  # 5.10 too much
    services.mark_overpayment_paid_back(order)
    services.record_payment_owed_back(order, amount=D("24.90"))  # sent again
    order = reload(order)
    assert order.overpaid_total == D("30.00") and order.overpaid_returned_total == D("5.10")
    assert order.overpayment_owed == D("24.90") and order.overpaid_returned_at is None
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
    assert "€24.90 received when nothing was due: to pay back." in events(order)
    assert "You paid €24.90 more than was due." in mail_text("order_payment_received", order)

    services.mark_overpayment_paid_back(order)
    order = reload(order)
    assert order.payment_status == Order.PaymentStatus.PAID  # the order stands, paid
    assert order.overpaid_returned_total == D("30.00") and order.overpayment_owed == 0
    paid_back = [t for t in events(order) if t.startswith("Overpayment of")]
    assert set(paid_back) == {
        "Overpayment of €5.10 paid back via Prepayment.",
        "Overpayment of €24.90 paid back via Prepayment.",
    }


def test_a_transfer_after_a_paid_order_was_canceled_owes_both_back(order):
    services.mark_paid(order)
    services.cancel_order(order)
    services.mark_cancellation_refunded(order)
    assert reload(order).payment_status == Order.PaymentStatus.REFUNDED
    services.record_payment_owed_back(order, amount=D("24.90"))  # paid twice
    order = reload(order)
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
    assert order.payout_due == D("24.90") and order.overpayment_owed == D("24.90")
    services.mark_overpayment_paid_back(order)
    assert reload(order).payment_status == Order.PaymentStatus.REFUNDED


@pytest.mark.parametrize("amount", [D("0"), D("-5.00")])
def test_no_money_is_refused_and_changes_nothing(order, amount):
    services.cancel_order(order)
    before = len(events(order))
    with pytest.raises(services.OrderError, match="Enter the amount received"):
        services.record_payment_owed_back(order, amount=amount)
    order = reload(order)
    assert order.overpaid_total == 0 and order.payment_status == Order.PaymentStatus.UNPAID
    assert len(events(order)) == before


def test_a_canceled_order_without_an_amount_is_still_refused(order):
    services.cancel_order(order)
    with pytest.raises(services.OrderError, match="cannot be marked as paid"):
        services.mark_paid(order)
    assert reload(order).payment_status == Order.PaymentStatus.UNPAID


def test_the_database_keeps_what_was_paid_back_within_the_overpayments(order):
    services.mark_paid(order, amount=D("30.00"))
    services.mark_overpayment_paid_back(order)
    rows = Order.objects.filter(pk=order.pk)
    for wrong in (
        {"overpaid_returned_total": D("6.00")},  # more than was paid too much
        {"overpaid_returned_total": D("-1.00")},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**wrong)
    # owed, and nothing left to pay back
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(overpaid_returned_at=None, payment_status="refund_pending")


def test_payments_records_a_transfer_on_a_canceled_orders_page(order, payments):
    services.cancel_order(order)
    url = reverse("admin:orders_order_change", args=[order.pk])
    page = payments.get(url)
    html = page.content.decode()
    assert 'value="Record payment received"' in html and 'name="amount"' in html
    token = page_token(page)
    mark = reverse("admin:orders_order_record_payment", args=[order.pk])

    # nothing typed: a clear error, nothing recorded (the same page can be sent again)
    response = payments.post(mark, {"amount": "", "form_token": token})
    assert "Amount received: This field is required." in messages_of(response)
    assert reload(order).overpaid_total == 0

    response = payments.post(mark, {"amount": "24,90", "form_token": token})
    assert (
        f"€24.90 received for order {order.number}, which owes nothing: recorded as an "
        "overpayment. Pay back €24.90 by bank transfer." in messages_of(response)
    )
    again = payments.post(mark, {"amount": "24,90", "form_token": token})
    assert ALREADY_SENT in messages_of(again)
    assert reload(order).overpaid_total == D("24.90")

    html = payments.get(url).content.decode()
    assert "To pay back via Prepayment: €24.90" in html
    # the order itself was not paid: nothing says "Paid" (what arrived is the overpayment)
    assert reload(order).paid_by_method == 0 and "<th>Paid</th>" not in html
    start = payments.get(reverse("admin:index")).content.decode()
    assert '1</span><span class="label">Overpayments to pay back' in start


def test_the_order_clerk_does_not_record_money(order):
    services.cancel_order(order)
    clerk = Client()
    clerk.force_login(RoleUserFactory(role="Order clerk"))
    html = clerk.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "Record payment received" not in html
    response = clerk.post(
        reverse("admin:orders_order_record_payment", args=[order.pk]), fresh({"amount": "24.90"})
    )
    assert response.status_code == 403
    assert reload(order).overpaid_total == 0


def test_a_part_payment_sent_twice_is_recorded_once(order, payments):
    token = page_token(payments.get(reverse("admin:orders_order_change", args=[order.pk])))
    mark = reverse("admin:orders_order_mark_paid", args=[order.pk])
    payments.post(mark, {"amount": "10,00", "form_token": token})
    again = payments.post(mark, {"amount": "10,00", "form_token": token})
    assert ALREADY_SENT in messages_of(again)
    order = reload(order)
    assert order.received_total == D("10.00") and order.balance_due == D("14.90")
    # a page without a token (a script, a page from before) records nothing
    payments.post(mark, {"amount": "10,00"})
    assert reload(order).received_total == D("10.00")


# --- found by an audit of the first version ------------------------------------------------


def test_a_mark_as_paid_page_sent_after_the_order_was_paid_books_nothing(order, payments):
    """Two tabs (or the bulk action) and an old "Mark as paid" page: its amount is not booked
    a second time as money owed back."""
    page = reverse("admin:orders_order_change", args=[order.pk])
    first, second = page_token(payments.get(page)), page_token(payments.get(page))
    mark = reverse("admin:orders_order_mark_paid", args=[order.pk])
    payments.post(mark, {"amount": "24,90", "form_token": first})
    response = payments.post(mark, {"amount": "24,90", "form_token": second})
    assert f"Order {order.number} is already marked as paid." in messages_of(response)
    order = reload(order)
    assert order.payment_status == Order.PaymentStatus.PAID and order.overpaid_total == 0


def test_money_owed_back_is_refused_while_something_is_due(order, payments):
    with pytest.raises(services.OrderError, match="still has €24.90 due: mark it as paid"):
        services.record_payment_owed_back(order, amount=D("24.90"))
    record = reverse("admin:orders_order_record_payment", args=[order.pk])
    response = payments.post(record, fresh({"amount": "24,90"}))
    assert any("mark it as paid instead" in m for m in messages_of(response))
    order = reload(order)
    assert order.payment_status == Order.PaymentStatus.UNPAID and order.overpaid_total == 0


def test_a_payback_marked_by_the_previous_release_is_counted_by_the_next_payment(order):
    """A web process still on the previous release marks an overpayment paid back without
    counting it (a rolling deploy): the database accepts it, and the next money owed back
    counts it as paid back."""
    services.mark_paid(order, amount=D("30.00"))
    Order.objects.filter(pk=order.pk).update(
        overpaid_returned_at=timezone.now(), payment_status="paid"
    )  # what the previous release's payback writes
    services.record_payment_owed_back(order, amount=D("24.90"))
    order = reload(order)
    assert order.overpaid_returned_total == D("5.10") and order.overpayment_owed == D("24.90")


def test_the_documents_of_an_order_that_ended_unpaid_do_not_say_paid(order):
    """Invoiced, canceled with a credit note, then money arrives: the invoice still says it
    was credited before it was paid, the credit note still cancels it; no "Paid" amount."""
    from orders import pdf
    from orders.models import CreditNote, Invoice

    services.create_invoice(order)
    services.lifecycle.cancel_with_credit_note(order)
    services.record_payment_owed_back(order, amount=D("24.90"))
    services.mark_overpayment_paid_back(order)
    order = reload(order)
    assert order.payment_status == Order.PaymentStatus.REFUNDED
    assert not order.paid_for_order and order.paid_by_method == 0
    invoice = Invoice.objects.get(order=order)
    assert pdf.invoice_context(invoice)["payment"].state != "paid"
    note = CreditNote.objects.get(invoice=invoice)
    with translation.override("en"):
        html = " ".join(
            render_to_string("pdf/credit_note.html", pdf.credit_note_context(note)).split()
        )
    assert f"This credit note cancels invoice {invoice.number}" in html
    assert "Your order has been refunded" not in html


def test_a_closed_order_never_paid_shows_no_paid_amount(order, payments):
    services.create_invoice(order)
    services.refund_order(order)  # credited in full before it was paid: closed
    services.record_payment_owed_back(order, amount=D("24.90"))
    order = reload(order)
    assert order.status == Order.Status.CLOSED and order.paid_by_method == 0
    html = payments.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "<th>Paid</th>" not in html and "To pay back via Prepayment: €24.90" in html


def test_late_money_on_a_card_order_goes_back_by_bank_transfer(make_order, card_payment):
    """A card order canceled before anything was charged: the money that arrived came by
    transfer and goes back by transfer — a card cannot be refunded what it never paid."""
    order = make_order(payment_method_id=card_payment.pk)
    services.void_authorization(order)
    services.cancel_order(order)
    services.record_payment_owed_back(order, amount=D("24.90"))
    text = mail_text("order_payment_received", order)
    assert "We will transfer €24.90 back to the account your payment came from" in text
    assert "by the payment method you used" not in text
    order = reload(order)
    assert order.overpayment_method == "bank transfer"
    services.mark_overpayment_paid_back(order)
    assert "we have transferred €24.90 back to your bank account" in mail_text(
        "order_refund_paid_out", order
    )
    # the history says so too, in the reader's language
    assert "Overpayment of €24.90 paid back by bank transfer." in events(order)
    assert not any("paid back via" in event for event in events(order))
    with translation.override("de"):
        assert "Überzahlung von 24,90\xa0€ per Banküberweisung zurückgezahlt." in events(order)


def test_the_customer_page_says_the_payment_arrived_after_the_cancellation(client, order):
    from orders import links

    services.cancel_order(order)
    services.record_payment_owed_back(order, amount=D("24.90"))
    page = client.get(links.customer_order_url(order)).content.decode()
    assert "Your payment of €24.90 arrived after the order was canceled." in page
    assert "more than was due" not in page
    assert "We will transfer €24.90 back to the account your payment came from" in page


def test_the_overpayment_warning_names_the_bank_transfer_for_a_card_order(
    make_order, card_payment, payments
):
    order = make_order(payment_method_id=card_payment.pk)
    services.void_authorization(order)  # paid by transfer like an invoice now
    mark = reverse("admin:orders_order_mark_paid", args=[order.pk])
    response = payments.post(mark, fresh({"amount": "30,00"}))
    assert "€5.10 more than was due arrived: pay it back via bank transfer." in messages_of(
        response
    )
