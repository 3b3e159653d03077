import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from customers import services
from customers.models import User
from orders.models import Invoice, Order, OrderLine
from orders.services import create_invoice
from tests.customers.factories import AddressFactory
from tests.factories import UserFactory, settle_open_business

pytestmark = pytest.mark.django_db


def test_test_customer_is_deleted_with_orders(make_order):
    user = UserFactory(is_test=True)
    orders = [make_order(customer=user), make_order(customer=user)]
    other = make_order()
    summary = services.delete_customer(user)
    assert summary["orders_deleted"] == 2
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Order.objects.filter(pk__in=[o.pk for o in orders]).exists()
    assert not OrderLine.objects.filter(order_id__in=[o.pk for o in orders]).exists()
    assert Order.objects.filter(pk=other.pk).exists()


def test_real_customer_with_orders_is_erased_and_orders_anonymised(make_order):
    user = UserFactory(phone="+49 111")
    AddressFactory(customer=user)
    order = make_order(customer=user, email=user.email, phone="+49 111")
    totals = (order.grand_total, order.goods_total, order.number, order.billing_city)
    summary = services.delete_customer(user)
    assert summary["orders_anonymised"] == 1
    assert not User.objects.filter(pk=user.pk).exists()
    order.refresh_from_db()
    assert order.customer_id is None
    assert order.email == f"deleted-{order.number}@invalid"
    assert order.phone == ""
    assert order.billing_first_name == order.billing_last_name == "Deleted"
    assert order.shipping_first_name == "Deleted" and order.shipping_street == "Deleted"
    assert "Musterstraße" not in order.billing_street
    # Amounts, number and the order lines stay for the books.
    assert (order.grand_total, order.goods_total, order.number, order.billing_city) == totals
    assert order.lines.count() == 1


def test_invoices_are_kept_untouched(make_order):
    user = UserFactory()
    order = make_order(customer=user)
    invoice = create_invoice(order)
    settle_open_business(order)  # invoiced (paid by card) and shipped
    snapshot = {f.attname: getattr(invoice, f.attname) for f in Invoice._meta.concrete_fields}
    services.delete_customer(user)
    invoice.refresh_from_db()
    assert {f.attname: getattr(invoice, f.attname) for f in Invoice._meta.concrete_fields} == (
        snapshot
    )


def test_customer_without_orders_is_simply_deleted():
    user = UserFactory()
    AddressFactory(customer=user)
    services.delete_customer(user)
    assert not User.objects.filter(pk=user.pk).exists()


def test_staff_is_not_deleted_as_customer(staff):
    with pytest.raises(services.CustomerError):
        services.delete_customer(staff)
    assert User.objects.filter(pk=staff.pk).exists()


def test_backoffice_delete_uses_the_service(admin_client, make_order):
    user = UserFactory()
    order = make_order(customer=user)
    url = reverse("admin:customers_user_delete", args=[user.pk])
    page = admin_client.get(url).content.decode()
    assert "cannot be undone" in page and "kept for the books" in page
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    order.refresh_from_db()
    assert order.customer_id is None and order.billing_last_name == "Deleted"


def test_backoffice_bulk_delete_uses_the_service(admin_client, make_order):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    test_user, real_user = UserFactory(is_test=True), UserFactory()
    test_order, real_order = make_order(customer=test_user), make_order(customer=real_user)
    response = admin_client.post(
        reverse("admin:customers_user_changelist"),
        {
            "action": "delete_selected",
            "post": "yes",
            ACTION_CHECKBOX_NAME: [test_user.pk, real_user.pk],
        },
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[test_user.pk, real_user.pk]).exists()
    assert not Order.objects.filter(pk=test_order.pk).exists()
    real_order.refresh_from_db()
    assert real_order.billing_first_name == "Deleted"


def test_erasure_deletes_the_sent_emails_to_the_customer():
    from shop.models import OutboxEmail

    customer = UserFactory()
    for status in ("sent", "failed"):
        OutboxEmail.objects.create(
            to=[customer.email], subject="Your order", body_text="…", template="t", status=status
        )
    other = OutboxEmail.objects.create(
        to=["someone@example.com"], subject="x", body_text="…", template="t", status="sent"
    )
    summary = services.delete_customer(customer)
    assert summary["emails_deleted"] == 2
    assert not OutboxEmail.objects.filter(to__contains=[customer.email]).exists()
    assert OutboxEmail.objects.filter(pk=other.pk).exists()


def test_erasure_cancels_unpaid_pending_orders_and_gives_everything_back(make_order, product):
    from giftcards import services as giftcard_services
    from orders.services import create_invoice, mark_paid
    from shop.models import Product

    user = UserFactory()
    product.stock = 10
    product.save()
    card = giftcard_services.issue_cards("5.00")[0]
    pending = make_order(customer=user, giftcard_number=card.number)  # 5.00 of 24.90 by card
    paid = make_order(customer=user)
    mark_paid(paid)
    invoiced = make_order(customer=user)
    create_invoice(invoiced)
    # paid and not shipped: open business refuses the erasure, nothing is canceled
    with pytest.raises(services.CustomerError, match="not been shipped yet"):
        services.delete_customer(user)
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PENDING
    settle_open_business(paid, invoiced)
    summary = services.delete_customer(user)
    assert summary["orders_canceled"] == 1 and summary["orders_anonymised"] == 3
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses[pending.pk] == Order.Status.CANCELED
    assert statuses[paid.pk] == Order.Status.PROCESSING  # paid and shipped: stays
    assert statuses[invoiced.pk] == Order.Status.COMPLETE
    card.refresh_from_db()
    assert card.balance == card.initial_value  # the card payment came back
    assert Product.objects.get(pk=product.pk).stock == 8  # two orders still hold one each


def test_an_anonymised_orders_names_show_in_the_readers_language(make_order, admin_client, staff):
    """Erasure stores the placeholder in the eraser's language ("Gelöscht"); the backoffice
    shows it in the reader's: the order page, the orders list and the packing slip."""
    from django.utils import translation

    from orders.models import Order as OrderModel
    from orders.services import create_shipment
    from tests.orders.factories import ship_all

    user = UserFactory(first_name="Erika", last_name="Mustermann")
    order = make_order(customer=user, email=user.email)
    create_invoice(order)
    shipment = create_shipment(order, ship_all(order))
    with translation.override("de"):
        services.delete_customer(user)
    order = OrderModel.objects.get(pk=order.pk)
    assert order.billing_last_name == "Gelöscht" and order.anonymised
    staff.language = "pl"
    staff.save(update_fields=["language"])

    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    text = page.content.decode()
    assert "Gelöscht" not in text and "Usunięte<br>Usunięte<br>" in text
    listing = admin_client.get(reverse("admin:orders_order_changelist")).content.decode()
    assert "Gelöscht" not in listing and "Usunięte" in listing
    page = admin_client.get(reverse("admin:orders_shipment_change", args=[shipment.pk]))
    assert "Usunięte<br>Usunięte<br>" in page.content.decode()
    slip = admin_client.get(reverse("admin:orders_shipment_pdf", args=[shipment.pk])).content
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(slip)).pages)
    assert "Gelöscht" not in text and "Deleted" in text  # the order's language (en)
    with translation.override("da"):
        assert order.billing_name == order.shipping_street_shown == "Slettet"
    assert order.billing_city == order.shipping_city  # what is not personal stays
