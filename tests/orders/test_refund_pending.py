"""The payment status never says "Refunded" while the customer is still owed money: a paid
order canceled before its invoice, or a credit note paid back through the payment method, is
"Refund pending" until the operator records the payout (``lifecycle.refund_status``); the
order's own payout is held to it by a database constraint."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from giftcards import services as giftcard_services
from orders import links, services
from orders.models import CreditNote, Order
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
PENDING, REFUNDED = Order.PaymentStatus.REFUND_PENDING, Order.PaymentStatus.REFUNDED


def reload(order):
    return Order.objects.get(pk=order.pk)


def paid_and_canceled(make_order, prepayment, **fields):
    order = make_order(payment_method_id=prepayment.pk, **fields)
    services.mark_paid(order)
    services.cancel_order(order)
    return reload(order)


def test_a_paid_order_canceled_is_refund_pending_until_the_payout_is_recorded(
    make_order, prepayment
):
    order = paid_and_canceled(make_order, prepayment)
    assert order.status == Order.Status.CANCELED and order.payout_due == D("24.90")
    assert order.payment_status == PENDING
    # the shop still holds the money, and nothing is due from the customer
    assert order.is_paid
    assert not Order.objects.open_amount_relevant().filter(pk=order.pk).exists()
    with pytest.raises(services.OrderError, match="is Canceled and cannot be marked as paid"):
        services.mark_paid(order)

    services.mark_cancellation_refunded(order)
    assert order.payment_status == REFUNDED  # the caller's instance follows
    assert reload(order).payment_status == REFUNDED


def test_the_part_a_gift_card_paid_goes_back_at_once_the_rest_stays_pending(make_order, prepayment):
    card = giftcard_services.issue_cards(D("20.00"), 1)[0]
    order = paid_and_canceled(make_order, prepayment, giftcard_number=card.number)
    card.refresh_from_db()
    assert card.balance == D("20.00")
    assert order.payout_due == D("4.90") and order.payment_status == PENDING
    services.mark_cancellation_refunded(order)
    assert reload(order).payment_status == REFUNDED


def test_an_order_paid_by_gift_card_and_credit_alone_is_refunded_when_canceled(make_order):
    customer = UserFactory()
    staff = UserFactory(is_staff=True, is_superuser=True)
    account = giftcard_services.account_for(customer)
    giftcard_services.adjust_account(account, D("9.90"), "goodwill", staff)
    card = giftcard_services.issue_cards(D("15.00"), 1)[0]
    order = make_order(customer=customer, giftcard_number=card.number, use_credit=True)
    assert order.amount_due == 0 and order.is_paid
    services.cancel_order(order)
    order = reload(order)
    # nothing went through the payment method: everything is back already
    assert order.payout_due == 0 and order.payment_status == REFUNDED
    card.refresh_from_db()
    assert card.balance == D("15.00")
    assert giftcard_services.credit_balance(customer) == D("9.90")


def test_the_database_refuses_a_payment_status_that_hides_the_payout(make_order, prepayment):
    order = paid_and_canceled(make_order, prepayment)
    for status in ("refunded", "paid"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Order.objects.filter(pk=order.pk).update(payment_status=status)
    services.mark_cancellation_refunded(order)
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(payment_status="refund_pending")


def test_the_customer_pages_say_the_refund_is_pending_then_paid_back(
    client, make_order, prepayment
):
    customer = UserFactory()
    order = paid_and_canceled(make_order, prepayment, customer=customer, email=customer.email)
    client.force_login(customer)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Refund pending" in page and "Refunded" not in page
    assert "We will transfer €24.90 back to the account your payment came from" in page
    listing = client.get(reverse("orders:account_orders")).content.decode()
    assert "Refund pending" in listing and "Refunded" not in listing

    services.mark_cancellation_refunded(order)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Refunded" in page and "Refund pending" not in page
    # paid back by bank transfer: to the bank account, not "via Prepayment"
    assert "€24.90 transferred back to your bank account on" in page and "We refund" not in page


def test_the_guest_status_page_says_the_truth(client, make_order, prepayment):
    order = paid_and_canceled(make_order, prepayment)
    url = links.status_path(order)
    page = client.get(url).content.decode()
    assert "Refund pending" in page and "Refunded" not in page
    assert "We will transfer €24.90 back to the account your payment came from" in page
    services.mark_cancellation_refunded(order)
    page = client.get(url).content.decode()
    assert "Refunded" in page and "€24.90 transferred back to your bank account on" in page


def test_the_backoffice_shows_and_filters_the_pending_refund(admin_client, make_order, prepayment):
    order = paid_and_canceled(make_order, prepayment)
    detail = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content
    detail = detail.decode()
    assert 'pay-refund_pending">Refund pending<' in detail
    assert "<th>Refund pending</th>" in detail and "<th>Refunded</th>" not in detail
    changelist = reverse("admin:orders_order_changelist")
    pending = admin_client.get(changelist + "?payment_status__exact=refund_pending")
    assert order.number in pending.content.decode()
    refunded = admin_client.get(changelist + "?payment_status__exact=refunded")
    assert order.number not in refunded.content.decode()

    admin_client.post(reverse("admin:orders_order_paid_back", args=[order.pk]))
    detail = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content
    detail = detail.decode()
    assert 'pay-refunded">Refunded<' in detail and "<th>Refunded</th>" in detail
    assert "Refund pending" not in detail


def test_a_credit_note_refunded_by_card_is_pending_on_the_customer_page_until_paid_out(
    client, make_order
):
    customer = UserFactory()
    order = make_order(customer=customer, email=customer.email)
    services.create_invoice(order)  # card: captured
    services.refund_order(order)
    note = CreditNote.objects.get(invoice__order=order)
    order = reload(order)
    assert order.status == Order.Status.CLOSED and order.payment_status == PENDING
    client.force_login(customer)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Refund pending" in page
    assert "We refund €24.90 by the payment method you used" in page

    services.mark_refunded(note)
    assert reload(order).payment_status == REFUNDED
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Refund pending" not in page and "€24.90 refunded via Credit card on" in page


@pytest.mark.django_db(transaction=True)
def test_the_migration_marks_the_refunds_still_owed_and_takes_it_back(make_order, prepayment):
    canceled = paid_and_canceled(make_order, prepayment)
    closed = make_order()
    services.create_invoice(closed)
    services.refund_order(closed)
    paid_back = paid_and_canceled(make_order, prepayment)
    services.mark_cancellation_refunded(paid_back)
    # only the columns this test is about: the older schema lacks later ones
    statuses = lambda: dict(  # noqa: E731
        Order.objects.filter(pk__in=[canceled.pk, closed.pk]).values_list("pk", "payment_status")
    )
    assert set(statuses().values()) == {PENDING}

    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("orders", "0018_export_delivery")])
        # as before: "Refunded" — the defect the migration repairs
        assert set(statuses().values()) == {REFUNDED}
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert set(statuses().values()) == {PENDING}
    assert reload(paid_back).payment_status == REFUNDED
