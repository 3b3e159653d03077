"""The customer page and its print show another app's data (orders, open amount, gift-card
credit, threads) and the customer's own parts (addresses, loyalty points) only to a viewer
allowed to see them: viewing a customer is not viewing their orders (found by a security
test: Marketing read every customer's order history and addresses)."""

from io import BytesIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse
from pypdf import PdfReader

from customers import loyalty
from orders.models import Order
from shop import panels
from tests.customers.factories import AddressFactory
from tests.factories import RoleUserFactory, StaffFactory

pytestmark = pytest.mark.django_db

STREET = "Elbchaussee 5"


@pytest.fixture
def shopper(make_order, customer):
    AddressFactory(customer=customer, street=STREET)
    order = make_order(customer=customer)
    loyalty.adjust_points(customer, 42, "Goodwill")
    return customer, order


def _page(client, customer):
    response = client.get(reverse("admin:customers_user_change", args=[customer.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _print(client, customer):
    response = client.get(reverse("admin:customers_user_print", args=[customer.pk]))
    assert response["Content-Type"] == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)


def test_marketing_sees_neither_orders_nor_addresses(client, shopper):
    customer, order = shopper
    client.force_login(RoleUserFactory(role="Marketing"))
    for shown in (_page(client, customer), _print(client, customer)):
        assert customer.email in shown  # the customer, which Marketing may view …
        assert order.number not in shown  # … without their orders,
        assert "24.90" not in shown  # their totals,
        assert STREET not in shown  # addresses
        assert "Goodwill" not in shown  # and loyalty ledger


def test_order_clerk_still_sees_orders_and_addresses(client, shopper):
    customer, order = shopper
    client.force_login(RoleUserFactory(role="Order clerk"))
    for shown in (_page(client, customer), _print(client, customer)):
        assert order.number in shown
        assert "24.90" in shown
        assert STREET in shown
        assert "Goodwill" in shown


@pytest.mark.parametrize(
    "registry", [panels.BACKOFFICE_CUSTOMER, panels.BACKOFFICE_CUSTOMER_DELETE]
)
def test_a_staff_member_without_permissions_sees_no_panel(shopper, registry):
    """The class: every app's panel on a backoffice page is hidden from a viewer without its
    permission (a new panel must declare one, below)."""
    customer, _order = shopper
    request = RequestFactory().get("/")
    request.user = StaffFactory()
    assert str(registry.render(request, customer)).strip() == ""


def test_a_staff_member_without_permissions_sees_no_order_panel(shopper):
    _customer, order = shopper
    request = RequestFactory().get("/")
    request.user = StaffFactory()
    order = Order.objects.get(pk=order.pk)
    assert str(panels.BACKOFFICE_ORDER.render(request, order)).strip() == ""


def test_a_backoffice_panel_must_declare_its_permission():
    with pytest.raises(ImproperlyConfigured):
        panels.BACKOFFICE_CUSTOMER.register("x.html", lambda request, obj: {})
    assert all(p.permission for p in panels.BACKOFFICE_CUSTOMER._panels)
