"""The customer's account pages: own orders only, foreign or unknown → 404."""

import pytest
from django.urls import reverse

from orders import services
from tests.factories import UserFactory

from .factories import ship_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_order(make_order, customer):
    order = make_order(customer=customer)
    services.create_invoice(order)
    shipment = services.create_shipment(order, ship_all(order), [("dhl", "00340434161094042557")])
    services.add_comment(order, "Packed with care", visible_to_customer=True)
    services.add_comment(order, "Internal: fragile")
    return order, shipment


def test_list_and_detail_show_status_invoice_tracking_and_visible_comments(
    client, customer, own_order, make_order
):
    order, shipment = own_order
    guest = make_order()
    client.force_login(customer)
    listing = client.get(reverse("orders:account_orders")).content.decode()
    assert order.number in listing and "Complete" in listing
    assert guest.number not in listing
    page = client.get(reverse("orders:account_order", args=[order.number]))
    html = page.content.decode()
    assert page.status_code == 200
    assert order.invoice.number in html
    assert reverse("orders:account_invoice_pdf", args=[order.number]) in html
    assert reverse("orders:account_packing_slip", args=[order.number, shipment.pk]) in html
    assert "piececode=00340434161094042557" in html  # carrier link
    assert "Packed with care" in html
    assert "Internal: fragile" not in html


def test_invoice_view_and_pdfs(client, customer, own_order):
    order, shipment = own_order
    client.force_login(customer)
    page = client.get(reverse("orders:account_invoice", args=[order.number]))
    assert order.invoice.number in page.content.decode()
    for url in (
        reverse("orders:account_invoice_pdf", args=[order.number]),
        reverse("orders:account_packing_slip", args=[order.number, shipment.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"


def test_foreign_and_unknown_orders_are_404(client, own_order, make_order):
    order, shipment = own_order
    stranger = UserFactory()
    client.force_login(stranger)
    other_customer_order_urls = [
        reverse("orders:account_order", args=[order.number]),
        reverse("orders:account_invoice", args=[order.number]),
        reverse("orders:account_invoice_pdf", args=[order.number]),
        reverse("orders:account_packing_slip", args=[order.number, shipment.pk]),
        reverse("orders:account_order", args=["999999"]),
    ]
    for url in other_customer_order_urls:
        assert client.get(url).status_code == 404, url
    # a guest order is nobody's account order
    guest = make_order()
    assert client.get(reverse("orders:account_order", args=[guest.number])).status_code == 404


def test_own_order_with_foreign_shipment_id_is_404(client, customer, own_order, make_order):
    order, _shipment = own_order
    other = make_order()
    foreign = services.create_shipment(other, ship_all(other))
    client.force_login(customer)
    url = reverse("orders:account_packing_slip", args=[order.number, foreign.pk])
    assert client.get(url).status_code == 404


def test_uninvoiced_order_has_no_invoice_page(client, customer, make_order):
    order = make_order(customer=customer)
    client.force_login(customer)
    assert client.get(reverse("orders:account_invoice", args=[order.number])).status_code == 404


def test_anonymous_is_sent_to_login(client, own_order):
    order, _ = own_order
    response = client.get(reverse("orders:account_order", args=[order.number]))
    assert response.status_code == 302
    assert reverse("customers:login") in response["Location"]


def test_order_list_query_count_is_constant(
    client, customer, make_order, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(customer)
    make_order(customer=customer)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("orders:account_orders"))
    for _ in range(10):
        make_order(customer=customer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("orders:account_orders"))
