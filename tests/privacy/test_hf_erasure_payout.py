"""Erasure waits while the shop owes the person a payout: an order in payment status "Refund
pending" (a paid order canceled, or a credit note whose refund through the payment method is
not marked as paid back). Erasing then lost the name, address and bank details the shop needs
to pay the customer back (found by an exploratory test). The refusal names the orders, for the
operator (customer deletion page, privacy erase page) and for the customer deleting their own
account; once the payout is marked as paid back, the erasure goes through."""

import pytest
from django.urls import reverse

from customers.models import User
from customers.services import CustomerError, delete_customer, delete_guest, erasure_refusals
from orders.models import CreditNote, Order
from orders.services import (
    cancel_order,
    create_credit_note,
    create_invoice,
    create_shipment,
    mark_cancellation_refunded,
    mark_paid,
    mark_refunded,
)
from tests.factories import UserFactory
from tests.orders.factories import ship_all

pytestmark = pytest.mark.django_db

GUEST = "gerda.gast@example.org"
PENDING = Order.PaymentStatus.REFUND_PENDING


def _paid_and_canceled(make_order, **fields):
    order = make_order(**fields)
    mark_paid(order)
    cancel_order(order)
    order = Order.objects.get(pk=order.pk)
    assert order.payment_status == PENDING and order.status == Order.Status.CANCELED
    return order


def _shipped_and_credited(make_order, **fields):
    """Delivered, paid by card, then one line credited: the card refund is still to be made
    (the order stands, Complete)."""
    order = make_order(**fields)
    create_invoice(order)
    create_shipment(order, ship_all(order))
    line = order.lines.get()
    create_credit_note(Order.objects.get(pk=order.pk), {line.pk: 1}, reason="Defective")
    order = Order.objects.get(pk=order.pk)
    assert order.payment_status == PENDING and order.status == Order.Status.COMPLETE
    return order


def test_a_customer_owed_a_payout_is_not_erased_until_it_is_paid_back(make_order, staff):
    user = UserFactory(first_name="Erika", last_name="Mustermann")
    canceled = _paid_and_canceled(make_order, customer=user)
    credited = _shipped_and_credited(make_order, customer=user)
    numbers = ", ".join(sorted([canceled.number, credited.number]))
    message = (
        f"Orders {numbers} have refunds that are not paid out yet: pay them back and mark "
        "them as paid back first."
    )

    with pytest.raises(CustomerError) as refused:
        delete_customer(user, by=staff)

    assert refused.value.message == message
    assert [refusal.message for refusal in erasure_refusals(user, by=staff)] == [message]
    # nothing changed: the payout still knows whom to pay
    assert User.objects.filter(pk=user.pk).exists()
    for order in (canceled, credited):
        order.refresh_from_db()
        assert order.customer_id == user.pk and order.billing_last_name == "Mustermann"
        assert order.payment_status == PENDING

    mark_cancellation_refunded(canceled, user=staff)
    with pytest.raises(CustomerError) as refused:
        delete_customer(user, by=staff)
    assert refused.value.message == (
        f"Order {credited.number} has a refund that is not paid out yet: pay it back and mark "
        "it as paid back first."
    )
    mark_refunded(CreditNote.objects.get(invoice__order=credited), user=staff)

    summary = delete_customer(user, by=staff)

    assert summary["orders_anonymised"] == 2
    assert not User.objects.filter(pk=user.pk).exists()
    assert Order.objects.get(pk=credited.pk).billing_last_name == "Deleted"


def test_a_guest_owed_a_payout_is_not_erased_and_the_privacy_page_says_why(
    admin_client, make_order, staff
):
    order = _paid_and_canceled(make_order, email=GUEST)
    url = reverse("admin:privacy_subject_erase", args=[f"email:{GUEST}"])
    message = (
        f"Order {order.number} has a refund that is not paid out yet: pay it back and mark it "
        "as paid back first."
    )

    with pytest.raises(CustomerError, match=message):
        delete_guest(GUEST, by=staff)
    assert message in admin_client.get(url).content.decode()
    admin_client.post(url)
    order.refresh_from_db()
    assert order.email == GUEST and order.billing_last_name == "Mustermann"

    mark_cancellation_refunded(order, user=staff)
    admin_client.post(url)
    order.refresh_from_db()
    assert order.email.endswith("@invalid") and order.billing_last_name == "Deleted"


def test_the_backoffice_deletion_page_names_the_order_to_pay_back(admin_client, make_order):
    user = UserFactory()
    order = _shipped_and_credited(make_order, customer=user)

    page = admin_client.get(reverse("admin:customers_user_delete", args=[user.pk]))

    content = page.content.decode()
    assert f"Order {order.number} has a refund that is not paid out yet" in content
    assert "Yes, delete this customer" not in content


def test_the_customer_deleting_their_account_is_told_to_wait_for_the_money(client, make_order):
    user = UserFactory()
    order = _paid_and_canceled(make_order, customer=user)
    client.force_login(user)

    response = client.post(
        reverse("customers:delete_account"), {"password": "secret-pass-123", "confirm": "on"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        f"We still have to pay you back money for your order {order.number}. Please delete "
        "your account once you have received it."
    ) in page
    assert "mark it as paid back" not in page  # the operator's wording is not theirs
    assert User.objects.filter(pk=user.pk).exists()
    assert Order.objects.get(pk=order.pk).payment_status == PENDING
