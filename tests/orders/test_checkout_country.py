"""The checkout's address starts in the country of the page's language (/pl/checkout/ in
Poland, /da/checkout/ in Denmark), so a Polish postcode is not checked against the German
form unless the customer notices the select; a saved address and what was entered win."""

import pytest
from django.urls import reverse
from django.utils import translation

from customers.models import Address
from orders.models import Order
from shop.models import ShopSettings
from tests.checkout import add_to_cart, checkout_post

pytestmark = pytest.mark.django_db


def checkout_page(client, language):
    with translation.override(language):
        return client.get(reverse("orders:checkout"))


def preset(response):
    form = response.context["form"]
    return form["billing_country"].value(), form["shipping_country"].value()


def selected(html, name):
    """The country the page's select for ``name`` shows as chosen."""
    select = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return select.split(" selected>", 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize(
    "language, country", [("pl", "PL"), ("da", "DK"), ("de", "DE"), ("en", "DE")]
)
def test_a_guests_address_starts_in_the_country_of_the_page_language(
    client, product, shipping, card_payment, language, country
):
    add_to_cart(client, product)
    response = checkout_page(client, language)
    assert response.status_code == 200
    assert preset(response) == (country, country)
    html = response.content.decode()
    assert selected(html, "billing_country") == country
    assert selected(html, "shipping_country") == country


def test_the_guests_cached_address_fields_are_kept_per_language(
    client, product, shipping, card_payment
):
    """A guest's empty address fields are a cached fragment: the Polish page's must not be
    shown on the Danish page."""
    add_to_cart(client, product)
    for language, country in [("pl", "PL"), ("da", "DK"), ("pl", "PL"), ("en", "DE")]:
        html = checkout_page(client, language).content.decode()
        assert selected(html, "billing_country") == country, language


def test_english_starts_in_the_shops_own_country_if_it_delivers_there(
    client, product, shipping, card_payment
):
    settings = ShopSettings.load()
    settings.country = "AT"
    settings.save()
    add_to_cart(client, product)
    response = checkout_page(client, "en")
    assert preset(response) == ("AT", "AT")
    assert selected(response.content.decode(), "billing_country") == "AT"
    settings.country = "FR"  # the checkout does not deliver there: its default
    settings.save()
    response = checkout_page(client, "en")
    assert preset(response) == ("DE", "DE")
    # not the address fields cached for the English page before
    assert selected(response.content.decode(), "billing_country") == "DE"


def test_a_polish_guest_orders_with_a_polish_postcode_without_touching_the_select(
    client, product, shipping, card_payment
):
    """The tester's case: the page's preset country, a Polish postcode."""
    add_to_cart(client, product)
    billing, shipping_country = preset(checkout_page(client, "pl"))
    data = checkout_post(
        shipping,
        card_payment,
        billing_street="Długa 1",
        billing_postcode="00-950",
        billing_city="Warszawa",
        billing_country=billing,
        shipping_country=shipping_country,
    )
    with translation.override("pl"):
        response = client.post(reverse("orders:checkout"), data)
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.billing_country, order.billing_postcode) == ("PL", "00-950")


def test_a_saved_address_wins_over_the_page_language(
    client, customer, product, shipping, card_payment
):
    Address.objects.create(
        customer=customer,
        first_name="Mette",
        last_name="Hansen",
        street="Nørregade 1",
        postcode="1165",
        city="København",
        country="DK",
        is_default=True,
    )
    client.force_login(customer)
    add_to_cart(client, product)
    response = checkout_page(client, "pl")
    assert preset(response) == ("DK", "DK")
    assert response.context["form"]["billing_city"].value() == "København"


def test_a_saved_address_not_delivered_to_leaves_the_page_languages_country(
    client, customer, product, shipping, card_payment
):
    Address.objects.create(
        customer=customer, street="Via Roma 10", postcode="39100", city="Bolzano", country="IT"
    )
    client.force_login(customer)
    add_to_cart(client, product)
    assert preset(checkout_page(client, "da")) == ("DK", "DK")


def test_a_customer_without_an_address_starts_in_the_page_languages_country(
    client, customer, product, shipping, card_payment
):
    client.force_login(customer)
    add_to_cart(client, product)
    assert preset(checkout_page(client, "pl")) == ("PL", "PL")


def test_what_the_customer_entered_wins_when_the_page_is_shown_again(
    client, product, shipping, card_payment
):
    add_to_cart(client, product)
    data = checkout_post(
        shipping, card_payment, billing_country="DE", shipping_country="AT", accept_terms=None
    )
    with translation.override("pl"):
        response = client.post(reverse("orders:checkout"), data)
    assert response.status_code == 200  # terms not accepted: the page again
    assert "accept_terms" in response.context["form"].errors
    assert preset(response) == ("DE", "AT")
    html = response.content.decode()
    assert selected(html, "billing_country") == "DE"
    assert selected(html, "shipping_country") == "AT"
