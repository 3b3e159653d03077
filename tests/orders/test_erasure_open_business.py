"""Erasure waits for open business with the person: an order paid (or its card payment
authorised) and not shipped, an open return, an unprocessed withdrawal statement — for a
customer and for a guest. Erasing then left the order paid with "Deleted" as the buyer, and
nobody to ship to, refund or answer (found by an exploratory test). An unpaid pending order
is no such business: the erasure cancels it, as before."""

import pytest
from django.urls import reverse

from customers import services
from customers.models import User
from customers.services import CustomerError, delete_guest, guest_erasure_refusal
from orders.aftersales import Return, Withdrawal
from orders.models import CreditNote, Order
from orders.services import (
    cancel_order,
    create_invoice,
    create_return,
    create_shipment,
    mark_cancellation_refunded,
    mark_paid,
    mark_processed,
    mark_refunded,
    receive_return,
    record_withdrawal,
    refund_order,
    reject_return,
)
from tests.factories import UserFactory
from tests.orders.factories import ship_all

pytestmark = pytest.mark.django_db

GUEST = "gerda.gast@example.org"


def _withdrawal(order, email):
    return record_withdrawal(name="Gerda Gast", email=email, order_number=order.number, order=order)


def test_guest_with_a_paid_unshipped_order_and_a_withdrawal_is_not_erased(make_order, staff):
    order = make_order(email=GUEST)
    mark_paid(order)
    _withdrawal(order, GUEST)

    with pytest.raises(CustomerError) as refused:
        delete_guest(GUEST, by=staff)

    assert refused.value.message == (
        f"Order {order.number} is paid (or its card payment authorised) and not shipped yet: "
        f"ship or refund order {order.number} first. "
        f"Process the withdrawal statement of order {order.number} first."
    )
    order.refresh_from_db()  # nothing changed
    assert order.email == GUEST and order.billing_last_name == "Mustermann"
    assert order.status == Order.Status.PENDING
    assert Withdrawal.objects.get(order=order).email == GUEST
    assert str(guest_erasure_refusal(GUEST, by=staff)) == str(refused.value)


def test_the_guest_is_erased_once_the_business_is_done(make_order, staff):
    order = make_order(email=GUEST)
    mark_paid(order)
    withdrawal = _withdrawal(order, GUEST)
    create_shipment(order, ship_all(order))
    with pytest.raises(CustomerError, match="Process the withdrawal statement"):
        delete_guest(GUEST, by=staff)
    mark_processed(withdrawal, staff)

    delete_guest(GUEST, by=staff)

    assert Order.objects.get(pk=order.pk).anonymised


def test_a_withdrawal_naming_no_order_refuses_too(make_order, staff):
    make_order(email=GUEST)  # unpaid, pending: canceled by the erasure
    record_withdrawal(name="Gerda Gast", email=GUEST, order_number="999999")
    with pytest.raises(CustomerError, match="withdrawal statement of order 999999"):
        delete_guest(GUEST, by=staff)


def test_a_partly_shipped_order_with_an_authorised_card_payment_refuses(make_order, product, staff):
    user = UserFactory()
    order = make_order({product.pk: 2}, customer=user)
    assert order.payment_status == Order.PaymentStatus.AUTHORIZED
    line = order.lines.get()
    create_shipment(order, {line.pk: 1})

    with pytest.raises(CustomerError, match=f"ship or refund order {order.number} first"):
        services.delete_customer(user, by=staff)
    assert User.objects.filter(pk=user.pk).exists()


def test_an_open_return_refuses_until_it_is_closed(make_order, staff):
    user = UserFactory()
    order = make_order(customer=user)
    create_invoice(order)
    create_shipment(order, ship_all(order))
    returned = create_return(order, ship_all(order), Return.Reason.DEFECTIVE, user=staff)
    message = f"The return of order {order.number} is still open: refund or reject it first."

    with pytest.raises(CustomerError) as refused:
        services.delete_customer(user, by=staff)
    assert refused.value.message == message
    receive_return(returned, user=staff)
    with pytest.raises(CustomerError, match="is still open"):
        services.delete_customer(user, by=staff)
    reject_return(returned, "Not defective", user=staff)

    services.delete_customer(user, by=staff)
    assert not User.objects.filter(pk=user.pk).exists()


def test_unpaid_shipped_canceled_and_refunded_orders_do_not_stand_in_the_way(make_order, staff):
    user = UserFactory()
    pending = make_order(customer=user)  # authorised, pending: canceled by the erasure
    shipped = make_order(customer=user)
    create_invoice(shipped)
    create_shipment(shipped, ship_all(shipped))
    canceled = make_order(customer=user)
    mark_paid(canceled)
    cancel_order(canceled)
    mark_cancellation_refunded(canceled)  # paid back: "Refund pending" would refuse
    refunded = make_order(customer=user)
    create_invoice(refunded)
    refund_order(refunded, user=staff, reason="Out of stock")
    for note in CreditNote.objects.filter(invoice__order=refunded):
        mark_refunded(note, user=staff)

    summary = services.delete_customer(user, by=staff)

    assert summary["orders_canceled"] == 1
    assert Order.objects.get(pk=pending.pk).status == Order.Status.CANCELED


def test_the_backoffice_deletion_page_names_the_orders(admin_client, make_order):
    user = UserFactory()
    order = make_order(customer=user)
    mark_paid(order)
    url = reverse("admin:customers_user_delete", args=[user.pk])

    page = admin_client.get(url).content.decode()

    assert f"ship or refund order {order.number} first" in page
    assert "Yes, delete this customer" not in page


def test_the_privacy_erase_page_shows_the_refusal(admin_client, make_order):
    client = admin_client
    order = make_order(email=GUEST)
    mark_paid(order)
    url = reverse("admin:privacy_subject_erase", args=[f"email:{GUEST}"])

    assert f"ship or refund order {order.number} first" in client.get(url).content.decode()
    client.post(url)
    assert Order.objects.get(pk=order.pk).email == GUEST


def test_the_customer_deleting_their_account_reads_what_to_do(client, make_order):
    user = UserFactory()
    order = make_order(customer=user)
    mark_paid(order)
    client.force_login(user)

    response = client.post(
        reverse("customers:delete_account"), {"password": "secret-pass-123", "confirm": "on"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        f"Your order {order.number} has not been shipped yet. Please wait until it has "
        "arrived, or contact us to cancel it, before deleting your account."
    ) in page
    assert "ship or refund" not in page  # the operator's wording is not theirs
    assert User.objects.filter(pk=user.pk).exists()


def test_the_customers_refusal_is_worded_in_the_storefronts_language(
    client, make_order, monkeypatch
):
    """Translated when the refusal is made, in the language of the customer's page (the
    catalogues' entries are added with the translations)."""
    from django.utils import translation

    from orders import erasure

    languages = []

    def ngettext(singular, plural, number):
        languages.append(translation.get_language())
        return translation.ngettext(singular, plural, number)

    monkeypatch.setattr(erasure, "ngettext", ngettext)
    user = UserFactory(language="de")
    order = make_order(customer=user)
    mark_paid(order)
    client.force_login(user)
    with translation.override("de"):
        url = reverse("customers:delete_account")
    assert url.startswith("/de/")

    response = client.post(url, {"password": "secret-pass-123", "confirm": "on"})

    assert response.status_code == 200 and order.number in response.content.decode()
    assert languages == ["de"]
