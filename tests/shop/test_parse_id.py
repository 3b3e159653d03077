"""Numbers parsed by hand from request data (``shop.forms.parse_id``): ASCII digits only and
within the column's range — "²" passes ``str.isdigit()`` but ``int()`` cannot read it, and a
page that parsed it with ``int()`` answered 500. Every backoffice and storefront page that
reads an id or a quantity from a key or a parameter answers such input with a form error, an
empty list or a 404, never a 500."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orders import services
from orders.aftersales import Return
from orders.models import CreditNote
from shop.forms import BIGINT_MAX, INTEGER_MAX, parse_id
from tests.factories import ProductFactory
from tests.formtokens import fresh

from ..orders.factories import ship_all

NOT_NUMBERS = ["", " 1", "1 ", "+1", "-1", "1.5", "1_0", "²", "١٢", "٣", "１２", "x", None, True]


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_parse_id_reads_only_ascii_digits(value):
    assert parse_id(value) is None


def test_parse_id_reads_whole_numbers_within_the_column():
    assert parse_id("0") == 0
    assert parse_id("0042") == 42
    assert parse_id(7) == 7
    assert parse_id(str(BIGINT_MAX)) == BIGINT_MAX
    assert parse_id(str(BIGINT_MAX + 1)) is None
    assert parse_id("9" * 5000) is None  # not even int()'s digit limit is reached
    assert parse_id(str(INTEGER_MAX + 1), maximum=INTEGER_MAX) is None


@pytest.fixture
def invoiced(make_order):
    order = make_order({ProductFactory(price=Decimal("15.00"), stock=10).pk: 2})
    services.create_invoice(order)
    return order


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["qty_²", "qty_١", "qty_99999999999999999999999"])
def test_a_credit_note_with_a_line_key_that_is_no_id_is_a_form_error_not_a_500(
    admin_client, invoiced, key
):
    url = reverse("admin:orders_creditnote_new", args=[invoiced.pk])
    response = admin_client.post(url, {key: "1", "preview": ""})
    assert response.status_code == 200
    confirmed = admin_client.post(url, {key: "1", "confirm": "", "seen_notes": "²"})
    assert confirmed.status_code == 200
    assert "The values changed" in confirmed.content.decode()
    assert not CreditNote.objects.exists()


@pytest.mark.django_db
def test_a_return_with_a_line_key_that_is_no_id_is_a_form_error_not_a_500(admin_client, invoiced):
    services.create_shipment(invoiced, ship_all(invoiced))
    url = reverse("admin:orders_return_new", args=[invoiced.pk])
    response = admin_client.post(url, fresh({"qty_²": "1", "reason": "defective"}))
    assert response.status_code in (200, 302)
    assert not Return.objects.exists()
    assert admin_client.get(url + "?withdrawal=²").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999999", "abc"])
def test_the_order_list_filtered_by_a_product_that_is_no_id_is_empty_not_a_500(
    admin_client, invoiced, value
):
    response = admin_client.get(reverse("admin:orders_order_changelist"), {"product": value})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


@pytest.mark.django_db
def test_the_order_list_filtered_by_a_product_shows_its_orders(admin_client, invoiced):
    product_id = invoiced.lines.get().product_id
    response = admin_client.get(reverse("admin:orders_order_changelist"), {"product": product_id})
    assert list(response.context["cl"].result_list) == [invoiced]


@pytest.mark.django_db
def test_the_thread_list_bulk_assignment_ignores_selections_that_are_no_ids(admin_client):
    response = admin_client.post(
        reverse("admin:helpdesk_thread_changelist"),
        {"action": "assign", "_selected": ["²", "١"], "assignee": ""},
    )
    assert response.status_code in (200, 302)


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", ["²", "٣", "99999999999999999999999", "-1"])
def test_the_cart_refuses_quantities_that_are_no_whole_numbers(client, quantity):
    product = ProductFactory(price=Decimal("5.00"))
    response = client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": quantity})
    assert response.status_code == 302
    assert not client.session.get("cart")
    response = client.post(reverse("shop:cart_update"), {"qty-²": "1"})
    assert response.status_code == 302
