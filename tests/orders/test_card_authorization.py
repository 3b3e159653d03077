"""Card payments are authorized at checkout and captured at invoicing (issue 26, item 6)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from orders import limits, services
from orders.errors import OrderError
from orders.models import Order, OrderComment
from tests.factories import PaymentMethodFactory

pytestmark = pytest.mark.django_db


def reload(order):
    return Order.objects.get(pk=order.pk)


def events(order):
    return list(
        OrderComment.objects.filter(order=order, is_event=True).values_list("text", flat=True)
    )


def test_card_order_is_authorized_at_checkout(make_order):
    order = make_order()
    assert order.payment_status == Order.PaymentStatus.AUTHORIZED
    assert reload(order).payment_status == Order.PaymentStatus.AUTHORIZED
    assert any("authorized" in text for text in events(order))


def test_bank_transfer_and_invoice_orders_are_not_authorized(make_order, invoice_payment):
    prepayment = PaymentMethodFactory(code="prepayment", kind="prepayment")
    assert make_order(payment_method_id=prepayment.pk).payment_status == "unpaid"
    assert make_order(payment_method_id=invoice_payment.pk).payment_status == "unpaid"


def test_invoicing_captures_the_authorized_payment(make_order):
    order = make_order()
    services.create_invoice(order)
    order = reload(order)
    assert order.payment_status == Order.PaymentStatus.PAID
    assert order.paid_at is not None
    assert any("captured" in text for text in events(order))


def test_capture_button_takes_the_payment_before_the_invoice(admin_client, make_order):
    order = make_order()
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "Capture card payment" in page and "Void authorization" in page
    assert "Mark as paid" not in page
    admin_client.post(reverse("admin:orders_order_capture", args=[order.pk]))
    order = reload(order)
    assert order.payment_status == Order.PaymentStatus.PAID
    assert order.status == Order.Status.PENDING  # nothing invoiced or shipped yet


def test_void_releases_the_authorization_and_the_invoice_then_stays_open(admin_client, make_order):
    order = make_order()
    admin_client.post(reverse("admin:orders_order_void", args=[order.pk]))
    order = reload(order)
    assert order.payment_status == Order.PaymentStatus.UNPAID
    assert any("voided" in text for text in events(order))
    services.create_invoice(order)
    assert reload(order).payment_status == Order.PaymentStatus.UNPAID  # nothing to capture


def test_capture_and_void_need_an_authorized_payment(make_order, invoice_payment):
    order = make_order(payment_method_id=invoice_payment.pk)
    with pytest.raises(OrderError, match="no authorized card payment"):
        services.capture_payment(order)
    with pytest.raises(OrderError, match="no authorized card payment"):
        services.void_authorization(order)
    assert reload(order).payment_status == Order.PaymentStatus.UNPAID


def test_marking_an_authorized_card_payment_paid_captures_it(make_order):
    order = make_order()
    services.mark_paid(order)
    order = reload(order)
    assert order.payment_status == Order.PaymentStatus.PAID
    assert any("captured" in text for text in events(order))


def test_canceling_voids_the_authorization(make_order):
    order = make_order()
    services.cancel_order(order)
    order = reload(order)
    assert order.status == Order.Status.CANCELED
    assert order.payment_status == Order.PaymentStatus.UNPAID
    assert any("voided" in text for text in events(order))


def test_database_refuses_an_authorization_on_a_canceled_order(make_order):
    order = make_order()
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELED)


def test_an_authorized_order_counts_towards_the_open_amount(make_order, customer):
    order = make_order(customer=customer)
    assert order.payment_status == Order.PaymentStatus.AUTHORIZED
    assert limits.open_amount(customer) == order.grand_total
    services.create_invoice(order)
    assert limits.open_amount(customer) == Decimal("0")
