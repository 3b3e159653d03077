"""Business customers: VAT ID (checked per EU country, stored compact and upper-case), buyer
reference and purchase-order reference on the account, the checkout and the order."""

from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.urls import reverse

from customers.models import User
from orders.models import Order
from tests.checkout import add_to_cart, checkout_post
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def profile_post(**overrides):
    data = {
        "email": "firma@example.com",
        "first_name": "Max",
        "last_name": "Muster",
        "company": "Muster GmbH",
        "vat_id": "de 136 695 976",
        "buyer_reference": "04011000-12345-03",
        "purchase_order_reference": "PO-1",
        "phone": "",
        "language": "de",
    }
    data.update(overrides)
    return data


def test_profile_stores_the_vat_id_compact_and_upper_case(client, customer):
    client.force_login(customer)
    # The account's own address: a new one is a separate, confirmed request.
    response = client.post(reverse("customers:profile"), profile_post(email=customer.email))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.vat_id == "DE136695976"
    assert customer.buyer_reference == "04011000-12345-03"
    assert customer.purchase_order_reference == "PO-1"


def test_profile_refuses_a_vat_id_with_a_wrong_check_digit(client, customer):
    client.force_login(customer)
    response = client.post(reverse("customers:profile"), profile_post(vat_id="DE136695977"))
    assert response.status_code == 200
    assert "not a valid VAT ID" in response.content.decode()
    customer.refresh_from_db()
    assert customer.vat_id == ""


def test_database_refuses_a_vat_id_that_is_not_normalized(customer):
    with pytest.raises(IntegrityError):
        User.objects.filter(pk=customer.pk).update(vat_id="de 136695976")


def test_backoffice_customer_page_edits_business_data(admin_client, customer):
    page = admin_client.get(reverse("admin:customers_user_change", args=[customer.pk]))
    assert 'name="vat_id"' in page.content.decode()
    assert 'name="buyer_reference"' in page.content.decode()


def test_checkout_for_a_company_keeps_the_business_snapshot(client, shipping, card_payment):
    product = ProductFactory(price=Decimal("20.00"))
    add_to_cart(client, product)
    response = client.post(
        reverse("orders:checkout"),
        checkout_post(
            shipping,
            card_payment,
            is_business="on",
            billing_company="Muster GmbH",
            vat_id="DE 136 695 976",
            buyer_reference="991-01234-56",
            purchase_order_reference="PO-4711",
        ),
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.billing_company == "Muster GmbH"
    assert order.billing_vat_id == "DE136695976"
    assert (order.buyer_reference, order.purchase_order_reference) == ("991-01234-56", "PO-4711")
    assert not order.reverse_charge


def test_checkout_for_a_company_needs_its_name_and_a_valid_vat_id(client, shipping, card_payment):
    add_to_cart(client, ProductFactory())
    response = client.post(
        reverse("orders:checkout"),
        checkout_post(shipping, card_payment, is_business="on", vat_id="PL5260250275"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "not a valid VAT ID" in html and "Enter the name of the company." in html
    assert not Order.objects.exists()


def test_a_consumer_order_carries_no_business_data(client, shipping, card_payment):
    add_to_cart(client, ProductFactory())
    client.post(
        reverse("orders:checkout"),
        checkout_post(shipping, card_payment, vat_id="DE136695976", buyer_reference="X"),
    )
    order = Order.objects.get()
    assert (order.billing_vat_id, order.buyer_reference) == ("", "")


def test_checkout_summary_announces_reverse_charge_for_an_eu_company(
    client, shipping, card_payment
):
    add_to_cart(client, ProductFactory(price=Decimal("119.00")))
    response = client.post(
        reverse("orders:checkout"),
        checkout_post(
            shipping,
            card_payment,
            is_business="on",
            billing_company="Kowalski Sp. z o.o.",
            billing_country="PL",
            vat_id="PL5260250274",
            accept_terms=None,  # the form comes back with the summary
        ),
    )
    html = response.content.decode()
    assert 'id="reverse-charge-note"' in html
    assert "100.00" in html  # 119.00 gross → 100.00 net
