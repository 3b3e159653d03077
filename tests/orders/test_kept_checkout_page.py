"""A guest's first view of the checkout page is kept like the cart page (shop.pagecache):
every guest with the same cart gets it with their own CSRF token and a new one-time checkout
token, and nothing on it is ever stale."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from orders.models import Order
from shop.models import Product, ShopSettings
from tests.checkout import add_to_cart, checkout_post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHECKOUT = "orders:checkout"


@pytest.fixture(autouse=True)
def _settings_row(db):
    ShopSettings.load()  # created on first use, which moves the storefront version


@pytest.fixture
def guest(product, shipping, card_payment):
    def make():
        client = Client(enforce_csrf_checks=True)
        client.get(reverse("shop:cart"))  # the CSRF cookie
        client.post(
            reverse("shop:cart_add"),
            {"product": product.pk, "quantity": 1, "csrfmiddlewaretoken": csrf(client)},
        )
        return client

    return make


def csrf(client):
    return client.cookies["csrftoken"].value


def rendered(response):
    """Was the page rendered for this view (not the kept one)? (The messages of a kept page
    are rendered into it on its own.)"""
    return "orders/checkout.html" in [t.name for t in response.templates]


def token(response):
    return re.search(rb'name="checkout_token" value="([^"]+)"', response.content)[1].decode()


def test_a_second_guest_with_the_same_cart_gets_the_kept_page_with_tokens_of_their_own(
    guest, shipping, card_payment
):
    first, second = guest(), guest()
    page = first.get(reverse(CHECKOUT))
    kept = second.get(reverse(CHECKOUT))
    assert rendered(page) and not rendered(kept)
    assert token(page) != token(kept)
    again = second.get(reverse(CHECKOUT))
    assert token(again) != token(kept)  # a new one-time token on every view
    posted = second.post(
        reverse(CHECKOUT),
        checkout_post(
            shipping, card_payment, checkout_token=token(kept), csrfmiddlewaretoken=csrf(second)
        ),
    )
    assert posted.status_code == 302 and posted["Location"] == reverse("orders:success")
    assert Order.objects.get().checkout_token.hex == token(kept).replace("-", "")


def test_another_cart_gets_its_own_page(guest, client, product):
    guest().get(reverse(CHECKOUT))
    add_to_cart(client, product, quantity=3)
    page = client.get(reverse(CHECKOUT))
    assert rendered(page)
    assert "3 × " in page.content.decode()


def test_a_changed_price_shows_on_the_next_view(guest, product):
    first = guest()
    first.get(reverse(CHECKOUT))
    assert not rendered(first.get(reverse(CHECKOUT)))
    Product.objects.filter(pk=product.pk).update(price=Decimal("31.00"))
    page = first.get(reverse(CHECKOUT))
    assert rendered(page) and "€31.00" in page.content.decode()


def test_a_guest_with_a_code_in_the_session_gets_a_fresh_page(guest):
    guest().get(reverse(CHECKOUT))
    second = guest()
    session = second.session
    session["voucher_code"] = "SUMMER"
    session.save()
    assert rendered(second.get(reverse(CHECKOUT)))


def test_a_customer_gets_a_fresh_page(guest, client, product):
    guest().get(reverse(CHECKOUT))
    client.force_login(UserFactory())
    add_to_cart(client, product)
    assert rendered(client.get(reverse(CHECKOUT)))
