"""The order status machine (SPEC S3): every transition and every illegal one."""

from decimal import Decimal

import pytest

from orders import services, signals
from orders.models import Invoice, Order, OrderComment, Shipment
from orders.services import OrderError
from shop.models import OutboxEmail
from tests.factories import ProductFactory

from .factories import ship_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    """Records which order signals were sent, for which order number."""
    events = []

    def make(name):
        def receiver(sender, order, **kwargs):
            events.append((name, order.number))

        return receiver

    receivers = {name: make(name) for name in ("paid", "canceled")}
    signals.order_paid.connect(receivers["paid"], dispatch_uid="test-paid")
    signals.order_canceled.connect(receivers["canceled"], dispatch_uid="test-canceled")
    yield events
    signals.order_paid.disconnect(dispatch_uid="test-paid")
    signals.order_canceled.disconnect(dispatch_uid="test-canceled")


@pytest.fixture
def stocked(db):
    return ProductFactory(price=Decimal("20.00"), stock=10)


def emails(template):
    return OutboxEmail.objects.filter(template=template).count()


def reload(order):
    return Order.objects.get(pk=order.pk)


def test_placed_order_is_pending_with_its_card_payment_authorized_and_confirmed(make_order):
    order = make_order()
    assert order.status == Order.Status.PENDING
    assert order.payment_status == Order.PaymentStatus.AUTHORIZED  # captured at invoicing
    assert emails("order_confirmation") == 1


def test_invoice_captures_card_payment_and_moves_to_processing(make_order, received):
    order = make_order()
    invoice = services.create_invoice(order, comment="Thank you!")
    order = reload(order)
    assert order.status == Order.Status.PROCESSING
    assert order.payment_status == Order.PaymentStatus.PAID
    assert order.paid_at is not None
    assert invoice.comment == "Thank you!"
    assert received == [("paid", order.number)]
    assert emails("order_invoice") == 0  # never e-mailed automatically


def test_invoice_for_bank_transfer_leaves_payment_open(make_order, invoice_payment, received):
    order = make_order(payment_method_id=invoice_payment.pk)
    services.create_invoice(order)
    order = reload(order)
    assert order.status == Order.Status.PROCESSING
    assert order.payment_status == Order.PaymentStatus.UNPAID
    assert received == []


def test_mark_paid_then_again_is_a_noop(make_order, invoice_payment, received):
    order = make_order(payment_method_id=invoice_payment.pk)
    services.mark_paid(order)
    first_paid_at = reload(order).paid_at
    services.mark_paid(order)
    order = reload(order)
    assert order.payment_status == Order.PaymentStatus.PAID
    assert order.paid_at == first_paid_at
    assert received == [("paid", order.number)]
    assert order.status == Order.Status.PENDING  # paying alone doesn't advance fulfilment


def test_invoice_twice_is_refused(make_order):
    order = make_order()
    services.create_invoice(order)
    with pytest.raises(OrderError, match="already been invoiced"):
        services.create_invoice(order)
    assert Invoice.objects.filter(order=order).count() == 1


def test_partial_then_full_shipment_with_invoice_completes(make_order, product):
    other = ProductFactory(price=Decimal("5.00"))
    order = make_order({product.pk: 3, other.pk: 1})
    line = order.lines.get(product=product)
    services.create_shipment(order, {line.pk: 1}, [("dhl", "0034")])
    assert reload(order).status == Order.Status.PROCESSING  # partly shipped
    services.create_invoice(order)
    assert reload(order).status == Order.Status.PROCESSING  # invoiced, not fully shipped
    second = services.create_shipment(order, {line.pk: 2, order.lines.get(product=other).pk: 1})
    order = reload(order)
    assert order.status == Order.Status.COMPLETE
    assert second.number == f"{order.number}-2"
    assert order.comments.filter(is_event=True).count() >= 4


def test_fully_shipped_but_not_invoiced_is_processing_until_invoiced(make_order):
    order = make_order()
    services.create_shipment(order, ship_all(order))
    assert reload(order).status == Order.Status.PROCESSING
    services.create_invoice(order)
    assert reload(order).status == Order.Status.COMPLETE


def test_order_without_physical_goods_is_complete_when_invoiced(make_order):
    from .factories import downloadable_product

    ebook = downloadable_product()
    order = make_order({ebook.pk: 1})
    assert order.shipping_total == Decimal("0.00")
    services.create_invoice(order)
    assert reload(order).status == Order.Status.COMPLETE


def test_shipping_more_than_ordered_is_refused_and_nothing_changes(make_order, product):
    order = make_order({product.pk: 2})
    line = order.lines.get()
    services.create_shipment(order, {line.pk: 1})
    with pytest.raises(OrderError, match="Only 1"):
        services.create_shipment(order, {line.pk: 2}, [("dhl", "123")])
    assert Shipment.objects.filter(order=order).count() == 1
    assert reload(order).status == Order.Status.PROCESSING


@pytest.mark.parametrize(
    "lines, tracking, message",
    [
        ("empty", [], "at least one item"),
        ("zero", [], "at least one item"),
        ("negative", [], "negative"),
        ("foreign", [], "does not belong"),
        ("text", [], "whole numbers"),
        ("one", [("fedex-x", "1")], "Unknown carrier"),
        ("one", [("dhl", "0034\n0434")], "line break"),
    ],
)
def test_bad_shipment_input_is_refused(make_order, lines, tracking, message):
    order = make_order()
    other = make_order()
    line = order.lines.get()
    lines = {
        "empty": {},
        "zero": {line.pk: 0},
        "negative": {line.pk: -1},
        "foreign": {other.lines.get().pk: 1},
        "text": {line.pk: "two"},
        "one": {line.pk: 1},
    }.get(lines, lines)
    with pytest.raises(OrderError, match=message):
        services.create_shipment(order, lines, tracking)
    assert not Shipment.objects.exists()
    assert reload(order).status == Order.Status.PENDING


def test_downloads_and_gift_cards_cannot_be_shipped(make_order):
    from .factories import downloadable_product

    ebook = downloadable_product()
    order = make_order({ebook.pk: 1})
    with pytest.raises(OrderError, match="not shipped"):
        services.create_shipment(order, {order.lines.get().pk: 1})


def test_cancel_returns_stock_refunds_and_notifies_receivers(make_order, stocked, received):
    order = make_order({stocked.pk: 3})
    stocked.refresh_from_db()
    assert stocked.stock == 7
    services.mark_paid(order)
    services.cancel_order(order)
    order = reload(order)
    stocked.refresh_from_db()
    assert stocked.stock == 10
    assert order.status == Order.Status.CANCELED
    # owed back, not paid back yet: not "Refunded" (tests/orders/test_cancellation_payout.py)
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
    assert ("canceled", order.number) in received
    assert not Order.objects.open_amount_relevant().filter(pk=order.pk).exists()


def test_cancel_unpaid_order_keeps_payment_status(make_order):
    order = make_order()
    services.cancel_order(order)
    assert reload(order).payment_status == Order.PaymentStatus.UNPAID


def test_cancel_after_shipping_is_refused(make_order, stocked, received):
    order = make_order({stocked.pk: 2})
    services.create_shipment(order, ship_all(order))
    with pytest.raises(OrderError, match="already been shipped"):
        services.cancel_order(order)
    stocked.refresh_from_db()
    assert stocked.stock == 8
    assert reload(order).status == Order.Status.PROCESSING
    assert received == []


def test_cancel_after_invoicing_is_refused_refund_instead(make_order, invoice_payment):
    order = make_order(payment_method_id=invoice_payment.pk)
    services.create_invoice(order)
    with pytest.raises(OrderError, match="refund it instead"):
        services.cancel_order(order)
    assert reload(order).status == Order.Status.PROCESSING


@pytest.mark.parametrize(
    "operation",
    [
        lambda o: services.cancel_order(o),
        lambda o: services.create_invoice(o),
        lambda o: services.create_shipment(o, ship_all(o)),
        lambda o: services.mark_paid(o),
        lambda o: services.refund_order(o),
    ],
    ids=["cancel", "invoice", "ship", "mark_paid", "refund"],
)
def test_nothing_happens_to_a_canceled_order(make_order, operation):
    order = make_order()
    services.cancel_order(order)
    comments = OrderComment.objects.count()
    with pytest.raises(OrderError):
        operation(order)
    order = reload(order)
    assert order.status == Order.Status.CANCELED
    assert order.payment_status == Order.PaymentStatus.UNPAID
    assert OrderComment.objects.count() == comments
    assert not Invoice.objects.exists() and not Shipment.objects.exists()


def test_refund_of_uninvoiced_order_is_refused(make_order):
    order = make_order()
    with pytest.raises(OrderError, match="not been invoiced"):
        services.refund_order(order)
    assert reload(order).status == Order.Status.PENDING


def test_refund_closes_returns_unshipped_stock_and_notifies(make_order, stocked, received):
    order = make_order({stocked.pk: 4})
    line = order.lines.get()
    services.create_invoice(order)  # card → paid
    services.create_shipment(order, {line.pk: 1})
    services.refund_order(order)
    order = reload(order)
    stocked.refresh_from_db()
    assert order.status == Order.Status.CLOSED
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING  # card refund not paid out
    assert stocked.stock == 9  # 3 unshipped came back; the shipped one is with the customer
    assert ("canceled", order.number) in received
    with pytest.raises(OrderError):
        services.refund_order(order)


def test_refund_of_complete_order(make_order):
    order = make_order()
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    assert reload(order).status == Order.Status.COMPLETE
    services.refund_order(order)
    assert reload(order).status == Order.Status.CLOSED


def test_failing_receiver_rolls_the_cancellation_back(make_order, stocked):
    order = make_order({stocked.pk: 1})

    def explode(sender, order, **kwargs):
        raise RuntimeError("voucher service down")

    signals.order_canceled.connect(explode, dispatch_uid="explode")
    try:
        with pytest.raises(RuntimeError):
            services.cancel_order(order)
    finally:
        signals.order_canceled.disconnect(dispatch_uid="explode")
    stocked.refresh_from_db()
    assert stocked.stock == 9
    assert reload(order).status == Order.Status.PENDING


def test_invoice_keeps_buyer_data_when_the_order_is_anonymised(make_order):
    order = make_order()
    invoice = services.create_invoice(order)
    Order.objects.filter(pk=order.pk).update(
        billing_first_name="",
        billing_last_name="Deleted",
        email="deleted@invalid",
        billing_street="-",
    )
    invoice.refresh_from_db()
    assert invoice.buyer_name == "Erika Mustermann"
    assert invoice.buyer_street == "Musterstraße 1"
    assert invoice.buyer_email == "erika@example.com"
    assert invoice.grand_total == order.grand_total
    assert sum(Decimal(r["gross"]) for r in invoice.tax_rows) == order.grand_total


def test_status_cannot_be_changed_through_the_admin_form(admin_client, make_order):
    order = make_order()
    from django.urls import reverse

    url = reverse("admin:orders_order_change", args=[order.pk])
    admin_client.post(url, {"status": "complete", "payment_status": "paid"})
    order = reload(order)
    assert order.status == Order.Status.PENDING
    assert order.payment_status == Order.PaymentStatus.AUTHORIZED
