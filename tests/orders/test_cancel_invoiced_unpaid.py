"""An invoiced order nothing has been paid for or shipped of is canceled by the Order clerk
with a credit note for the whole invoice (a Stornorechnung): the full refund's credit note,
issued by the same service — nothing is owed any more, gift-card payments go back, the goods
go back into stock, the order is Canceled and the customer gets the cancellation e-mail with
the credit note attached. A paid (even partly) or shipped order is not offered it: its money
goes back by Payments' refund."""

from decimal import Decimal

import pytest
from django.urls import reverse

from giftcards import services as giftcard_services
from giftcards.models import GiftCard
from orders import services
from orders.errors import OrderError
from orders.models import CreditNote, Order, OrderComment
from orders.services.lifecycle import cancel_with_credit_note
from shop.mail import written
from shop.models import OutboxEmail
from shop.money import format_money
from tests.factories import PaymentMethodFactory, ProductFactory, RoleUserFactory
from tests.orders.factories import ship_all

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def lamp(db):
    return ProductFactory(name="Lamp", price=D("30.00"), stock=10)


@pytest.fixture
def invoiced(make_order, prepayment, lamp):
    """Invoiced, waiting for the bank transfer, nothing shipped."""
    order = make_order({lamp.pk: 2}, payment_method_id=prepayment.pk)
    services.create_invoice(order)
    return reload(order)


@pytest.fixture
def login(client):
    def log_in(role):
        client.force_login(RoleUserFactory(role=role))
        return client

    return log_in


def reload(order):
    return Order.objects.get(pk=order.pk)


def url(name, order):
    return reverse(f"admin:orders_{name}", args=[order.pk])


def plain(text):
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_the_clerk_cancels_an_invoiced_unpaid_order_with_a_credit_note(login, invoiced, lamp):
    clerk = login("Order clerk")
    invoice = invoiced.invoice
    lamp.refresh_from_db()
    assert lamp.stock == 8
    html = clerk.get(url("order_change", invoiced)).content.decode()
    assert url("order_cancel", invoiced) in html  # offered on the order page
    assert url("order_refund", invoiced) not in html  # the refund stays Payments'

    page = clerk.get(url("order_cancel", invoiced))
    assert page.status_code == 200
    confirm = plain(page.content.decode())
    assert f"Cancel order {invoiced.number} with a credit note?" in confirm
    assert "Yes, cancel with credit note" in confirm
    total = plain(format_money(invoice.grand_total, invoice.currency))
    assert f"Credit note of {total} for invoice {invoice.number}" in confirm
    assert "the next number of the credit-note series" in confirm
    assert "Its items go back into stock" in confirm
    assert "2 not shipped: back to stock" in confirm
    assert "Taken off the amount still due" in confirm
    assert not CreditNote.objects.exists()  # GET changes nothing

    response = clerk.post(
        url("order_cancel", invoiced),
        {"credit_note": "1", "quick_reason": "payment_not_received", "tell_customer": "on"},
        follow=True,
    )
    note = CreditNote.objects.get(invoice=invoice)
    assert any(
        f"Order {invoiced.number} canceled with credit note {note.number}." in m
        for m in messages_of(response)
    )
    order = reload(invoiced)
    assert order.status == Order.Status.CANCELED
    assert order.payment_status == Order.PaymentStatus.UNPAID
    assert order.due_now == 0 and order.credited_total == invoice.grand_total
    assert note.grand_total == invoice.grand_total == order.grand_total > 0
    assert note.is_final and note.paid_total == 0 and note.due_reduction == invoice.grand_total
    assert note.sent_at is not None
    lamp.refresh_from_db()
    assert lamp.stock == 10
    events = [plain(c.display_text) for c in OrderComment.objects.filter(order=order)]
    assert any(e.startswith(f"Credit note {note.number} of {total} created") for e in events)
    assert (
        f"Order canceled with credit note {note.number}. Reason: payment not received. "
        "The customer was told the reason by e-mail."
    ) in events
    assert not any("closed" in e for e in events)

    email = written(OutboxEmail.objects.get(template="order_canceled", to=[order.email]))
    text = plain(email.body_text)
    assert f"we have canceled your order {order.number}" in text
    assert f"Attached is credit note {note.number}, which cancels invoice {invoice.number}." in text
    assert "Nothing is to be paid for this order any more." in text
    assert "Reason: we have not received your payment." in text
    assert [a["generator"] for a in email.attachments] == ["orders.pdf.credit_note_pdf_bytes"]
    assert email.attachments[0]["args"] == [note.pk]
    assert not OutboxEmail.objects.filter(template="order_refunded").exists()  # one e-mail


def test_the_gift_card_payment_goes_back(make_order, prepayment, lamp):
    card = giftcard_services.issue_cards(D("20.00"), 1)[0]
    order = make_order({lamp.pk: 1}, payment_method_id=prepayment.pk, giftcard_number=card.number)
    services.create_invoice(order)
    assert reload(order).payment_status == Order.PaymentStatus.UNPAID  # the rest still due
    note = cancel_with_credit_note(order)
    assert note.giftcard_total == D("20.00")
    assert note.due_reduction == note.grand_total - D("20.00") > 0
    assert GiftCard.objects.get(pk=card.pk).balance == D("20.00")
    assert reload(order).status == Order.Status.CANCELED
    text = plain(written(OutboxEmail.objects.get(template="order_canceled")).body_text)
    assert "Back on your gift card already: €20.00" in text


def test_without_telling_the_customer_reads_no_reason(invoiced):
    cancel_with_credit_note(
        invoiced, reason="Customer is a known fraudster", quick_reason="suspected_fraud"
    )
    text = plain(written(OutboxEmail.objects.get(template="order_canceled")).body_text)
    assert "fraud" not in text and "Reason" not in text
    assert "Order canceled with credit note" in " ".join(
        plain(c.display_text) for c in OrderComment.objects.filter(order=invoiced)
    )


@pytest.mark.parametrize("paid", ["in full", "in part"])
def test_a_paid_invoiced_order_is_not_offered_to_the_clerk(login, invoiced, paid):
    services.mark_paid(invoiced, amount=None if paid == "in full" else D("10.00"))
    clerk = login("Order clerk")
    html = clerk.get(url("order_change", invoiced)).content.decode()
    assert url("order_cancel", invoiced) not in html
    assert "Cancel with credit note" not in html
    response = clerk.get(url("order_cancel", invoiced), follow=True)
    assert response.redirect_chain[-1][0] == url("order_change", invoiced)
    assert "Yes, cancel" not in response.content.decode()
    response = clerk.post(url("order_cancel", invoiced), {"credit_note": "1"}, follow=True)
    assert any("has been paid, in full or in part" in m for m in messages_of(response))
    assert not CreditNote.objects.exists()
    assert reload(invoiced).status == Order.Status.PROCESSING


def test_a_card_paid_invoiced_order_stays_with_payments_refund(login, make_order):
    order = make_order()  # card: the invoice captures the payment
    services.create_invoice(order)
    assert reload(order).is_paid
    html = login("Order clerk").get(url("order_change", order)).content.decode()
    assert url("order_cancel", order) not in html
    with pytest.raises(OrderError, match="refunded, by the Payments role"):
        cancel_with_credit_note(order)


def test_a_shipped_invoiced_order_is_not_offered(login, make_order, lamp):
    pay_on_invoice = PaymentMethodFactory(code="inv", name="Invoice", kind="invoice")
    order = make_order({lamp.pk: 2}, payment_method_id=pay_on_invoice.pk)
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    clerk = login("Order clerk")
    html = clerk.get(url("order_change", order)).content.decode()
    assert url("order_cancel", order) not in html
    response = clerk.post(url("order_cancel", order), {"credit_note": "1"}, follow=True)
    assert any("already been shipped" in m for m in messages_of(response))
    assert not CreditNote.objects.exists()
    assert reload(order).status == Order.Status.COMPLETE


def test_payments_does_not_cancel(login, invoiced):
    response = login("Payments").post(url("order_cancel", invoiced), {"credit_note": "1"})
    assert response.status_code == 403
    assert not CreditNote.objects.exists()
    assert reload(invoiced).status == Order.Status.PROCESSING


def test_a_reason_too_long_issues_no_credit_note(login, invoiced, lamp):
    response = login("Order clerk").post(
        url("order_cancel", invoiced), {"credit_note": "1", "reason": "x" * 501}
    )
    assert response.status_code == 200
    html = plain(response.content.decode())
    assert "at most 500 characters" in html and "Yes, cancel with credit note" in html
    assert not CreditNote.objects.exists()
    assert reload(invoiced).status == Order.Status.PROCESSING
    lamp.refresh_from_db()
    assert lamp.stock == 8


def test_the_plain_cancellation_still_refuses_an_invoiced_order(invoiced):
    """The page shows what it will do; a plain cancellation of an order invoiced since it was
    shown issues no credit note behind the operator's back."""
    with pytest.raises(OrderError, match="has been invoiced"):
        services.cancel_order(invoiced)
    assert not CreditNote.objects.exists()


def test_an_order_not_invoiced_is_canceled_without_a_credit_note(make_order, prepayment):
    order = make_order(payment_method_id=prepayment.pk)
    with pytest.raises(OrderError, match="has not been invoiced"):
        cancel_with_credit_note(order)
    assert reload(order).status == Order.Status.PENDING
