"""The checkout's addresses: only to the countries it delivers to, each postcode in its
country's form (customers.postcodes, the rule of the address book too)."""

import pytest
from django.urls import reverse
from django.utils import translation

from customers.models import Address
from orders.models import Order
from tests.checkout import add_to_cart, checkout_post

pytestmark = pytest.mark.django_db


def saved_address(customer, country, **fields):
    return Address.objects.create(
        customer=customer,
        first_name="Sofia",
        last_name="Rossi",
        street=fields.pop("street", "Via Roma 10"),
        postcode=fields.pop("postcode", "39100"),
        city=fields.pop("city", "Bolzano"),
        country=country,
        is_default=True,
        **fields,
    )


# --- a saved address the checkout does not deliver to ------------------------------------


@pytest.mark.parametrize(
    "language, countries, country",
    [
        ("en", "Germany, Poland, Denmark, Austria, and Switzerland", "Italy"),
        ("de", "Deutschland, Polen, Dänemark, Österreich und Schweiz", "Italien"),
        ("pl", "Niemcy, Polska, Dania, Austria i Szwajcaria", "Włochy"),
        ("da", "Tyskland, Polen, Danmark, Østrig og Schweiz", "Italien"),
    ],
)
def test_an_address_in_a_country_not_delivered_to_is_not_filled_in_and_the_page_says_why(
    client, customer, product, shipping, card_payment, language, countries, country
):
    saved_address(customer, "IT")
    client.force_login(customer)
    add_to_cart(client, product)
    with translation.override(language):
        response = client.get(reverse("orders:checkout"))
    form = response.context["form"]
    # Nothing of the Italian address — above all not its street under "Germany".
    for name in ("billing_street", "billing_postcode", "billing_city"):
        assert not form[name].value()
    assert form["email"].value() == customer.email  # the account's data still is
    html = response.content.decode()
    assert "Via Roma" not in html and "Bolzano" not in html
    assert countries in html and country in html  # the message, in the reader's language


def test_an_address_in_a_country_delivered_to_is_filled_in_without_a_message(
    client, customer, product, shipping, card_payment
):
    saved_address(customer, "AT", street="Ringstraße 1", postcode="1010", city="Wien")
    client.force_login(customer)
    add_to_cart(client, product)
    response = client.get(reverse("orders:checkout"))
    form = response.context["form"]
    assert (form["billing_city"].value(), form["billing_country"].value()) == ("Wien", "AT")
    assert "We deliver only to" not in response.content.decode()


def test_the_message_is_not_repeated_when_the_form_is_sent(
    client, customer, product, shipping, card_payment
):
    saved_address(customer, "IT")
    client.force_login(customer)
    add_to_cart(client, product)
    data = checkout_post(shipping, card_payment, email=customer.email)
    response = client.post(reverse("orders:checkout"), data)
    assert response.status_code == 302
    assert Order.objects.get().billing_country == "DE"  # what the customer chose


# --- postcodes ---------------------------------------------------------------------------


def place(client, product, shipping, card_payment, **fields):
    add_to_cart(client, product)
    return client.post(reverse("orders:checkout"), checkout_post(shipping, card_payment, **fields))


@pytest.mark.parametrize(
    "country, postcode, example",
    [
        ("DE", "ABC", "10115"),
        ("DE", "1011", "10115"),
        ("AT", "10100", "1010"),
        ("DK", "DK-105", "1050"),
        ("PL", "00-95", "00-950"),
    ],
)
def test_a_postcode_not_in_the_countrys_form_is_refused_naming_the_form(
    client, product, shipping, card_payment, country, postcode, example
):
    response = place(
        client,
        product,
        shipping,
        card_payment,
        billing_country=country,
        billing_postcode=postcode,
    )
    assert response.status_code == 200
    assert response.context["form"].errors["billing_postcode"] == [
        f"Please enter a postcode like {example}."
    ]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "country, typed, stored",
    [
        ("DE", " 10 115 ", "10115"),
        ("AT", "A-1010", "1010"),
        ("DK", "DK 2100", "2100"),
        ("PL", "00950", "00-950"),
        ("PL", "00 – 950", "00-950"),
    ],
)
def test_a_postcode_is_stored_as_the_country_writes_it(
    client, product, shipping, card_payment, country, typed, stored
):
    response = place(
        client, product, shipping, card_payment, billing_country=country, billing_postcode=typed
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.billing_postcode, order.shipping_postcode) == (stored, stored)


def test_a_separate_shipping_address_is_checked_for_its_own_country(
    client, product, shipping, card_payment
):
    separate = {
        "ship_to_billing": None,
        "shipping_first_name": "Jan",
        "shipping_last_name": "Nowak",
        "shipping_street": "Długa 1",
        "shipping_city": "Warszawa",
        "shipping_country": "PL",
    }
    response = place(client, product, shipping, card_payment, shipping_postcode="1050", **separate)
    assert response.context["form"].errors["shipping_postcode"] == [
        "Please enter a postcode like 00-950."
    ]
    response = place(client, product, shipping, card_payment, shipping_postcode="00001", **separate)
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.billing_postcode, order.shipping_postcode) == ("10115", "00-001")


def test_the_ignored_shipping_fields_are_not_checked(client, product, shipping, card_payment):
    response = place(
        client, product, shipping, card_payment, shipping_postcode="ABC", shipping_country="DE"
    )
    assert response.status_code == 302  # "ship to the billing address" is ticked


def test_the_placement_service_holds_the_postcode_rule_for_every_caller(product, checkout_data):
    """The forms check postcodes; a command, a job or the demo calling place_order directly
    must not place an order with "ABC" as a German postcode either."""
    from orders.models import Order
    from orders.services import CheckoutError, place_order
    from tests.conftest import BILLING

    with pytest.raises(CheckoutError, match="postcode like 10115") as refused:
        place_order({product.pk: 1}, checkout_data(billing={**BILLING, "postcode": "ABC"}))
    assert refused.value.field == "billing_postcode"
    assert not Order.objects.exists()
    polish = {**BILLING, "country": "PL", "postcode": "00950"}
    order = place_order({product.pk: 1}, checkout_data(billing=polish))
    assert order.billing_postcode == "00-950"
