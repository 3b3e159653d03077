"""Invoices and credit notes are never deleted (issue 18, point 5): not with their order, not
with a test customer, not by SQL."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from customers import services as customer_services
from customers.models import User
from orders.models import CreditNote, Invoice, Order
from orders.services import create_invoice, mark_refunded, refund_order
from shop.db import table
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_invoiced_order_cannot_be_deleted(make_order):
    order = make_order()
    create_invoice(order)
    with pytest.raises(ProtectedError):
        order.delete()
    assert Invoice.objects.filter(order=order).exists()


@pytest.mark.parametrize("model", [Invoice, CreditNote])
def test_the_database_refuses_to_delete_an_invoice_or_credit_note(make_order, model):
    order = make_order()
    create_invoice(order)
    refund_order(order)
    with pytest.raises(IntegrityError, match="never deleted"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table(model)}")
    assert model.objects.count() == 1


def test_an_invoiced_test_customer_is_anonymised_instead_of_deleted(make_order):
    tester = UserFactory(is_test=True)
    invoiced = make_order(customer=tester)
    invoice = create_invoice(invoiced)
    refund_order(invoiced)
    mark_refunded(invoice.credit_notes.get())  # paid back: "Refund pending" refuses erasure
    other = make_order(customer=tester)
    summary = customer_services.delete_customer(tester)
    assert not User.objects.filter(pk=tester.pk).exists()
    assert summary["orders_deleted"] == 0 and summary["orders_anonymised"] == 2
    assert summary["orders_invoiced"] == 1 and summary["orders_canceled"] == 1
    invoice.refresh_from_db()
    assert invoice.credit_notes.get().number.startswith("CN-")
    for order in (invoiced, other):
        order.refresh_from_db()
        assert order.customer_id is None and order.billing_last_name == "Deleted"
    assert Order.objects.get(pk=other.pk).status == Order.Status.CANCELED


def test_the_confirmation_page_says_an_invoiced_test_customer_is_anonymised(
    admin_client, make_order
):
    tester = UserFactory(is_test=True)
    create_invoice(make_order(customer=tester))
    make_order(customer=tester)
    page = admin_client.get(reverse("admin:customers_user_delete", args=[tester.pk]))
    html = page.content.decode()
    assert "1 of its orders has been invoiced" in html
    assert "erased like a real customer" in html and "kept for the books" in html
    assert "1 unpaid order that has not been invoiced or shipped yet is canceled first" in html
    assert "are deleted" not in html


def test_a_test_customer_without_invoices_is_still_deleted_with_its_orders(
    admin_client, make_order
):
    tester = UserFactory(is_test=True)
    order = make_order(customer=tester)
    page = admin_client.get(reverse("admin:customers_user_delete", args=[tester.pk]))
    assert "the account and its 1 order are deleted" in page.content.decode()
    admin_client.post(reverse("admin:customers_user_delete", args=[tester.pk]), {"post": "yes"})
    assert not Order.objects.filter(pk=order.pk).exists()
