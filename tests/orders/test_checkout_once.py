"""One checkout page places one order: the page's one-time token is unique on the order, so
a second submit of the same page — a double click, a reload, the same POST three times at
once — places nothing more, charges nothing more and is answered with the first order."""

import re
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import translation

from giftcards import services as giftcard_services
from giftcards.models import GiftCard, LedgerEntry
from orders.errors import OrderAlreadyPlaced
from orders.models import Order
from orders.services import CheckoutData, place_order
from shop.models import OutboxEmail, Product
from tests.checkout import add_to_cart, checkout_post
from tests.conftest import BILLING
from tests.factories import PaymentMethodFactory, ProductFactory, ShippingMethodFactory
from tests.race import run_concurrently
from tests.vouchers.factories import CodeFactory

TOKEN_INPUT = re.compile(r'<input type="hidden" name="checkout_token" value="([0-9a-f-]{36})">')


def page_token(response):
    """The one-time token the checkout page carries (in its HTML, as a browser sees it)."""
    tokens = TOKEN_INPUT.findall(response.content.decode())
    assert len(tokens) == 1
    return tokens[0]


def confirmations():
    return OutboxEmail.objects.filter(template="order_confirmation").count()


def card_spent(card):
    spent = LedgerEntry.objects.filter(card=card, kind="spend").aggregate(s=Sum("amount"))["s"]
    return -(spent or Decimal("0.00"))


# --- at the same moment, on real PostgreSQL connections ----------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_same_checkout_post_three_times_at_once_places_one_order_and_charges_the_card_once():
    product = ProductFactory(price=Decimal("20.00"), stock=10)
    shipping = ShippingMethodFactory()  # 2 × 20.00 + 4.90 = 44.90
    payment = PaymentMethodFactory(code="card", kind="card")
    card = giftcard_services.issue_cards(Decimal("100.00"), 1)[0]
    browser = Client()
    add_to_cart(browser, product, 2)
    with translation.override("de"):
        url, success = reverse("orders:checkout"), reverse("orders:success")
    post = checkout_post(
        shipping,
        payment,
        giftcard_number=card.display_number,
        checkout_token=page_token(browser.get(url)),
    )
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value

    def submit(_i):
        tab = Client()  # the same browser session, one request each
        tab.cookies[settings.SESSION_COOKIE_NAME] = session
        response = tab.post(url, post)
        return response.status_code, response.get("Location")

    outcomes = run_concurrently(submit, 3)

    assert outcomes == [(302, success)] * 3
    order = Order.objects.get()
    assert order.giftcard_total == Decimal("44.90")
    card = GiftCard.objects.get(pk=card.pk)
    assert card_spent(card) == Decimal("44.90") and card.balance == Decimal("55.10")
    assert LedgerEntry.objects.filter(card=card, kind="spend").count() == 1
    assert confirmations() == 1
    assert Product.objects.get(pk=product.pk).stock == 8
    # The browser shows the order, and the cart stays empty (no answer wrote it back).
    page = browser.get(success)
    assert order.number in page.content.decode()
    assert browser.session.get("cart") == {}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_code", [False, True], ids=["gift card", "gift card and code"])
def test_placing_one_page_at_once_in_many_threads_places_it_once(with_code):
    product = ProductFactory(price=Decimal("20.00"), stock=10)
    shipping = ShippingMethodFactory()
    payment = PaymentMethodFactory()
    card = giftcard_services.issue_cards(Decimal("100.00"), 1)[0]
    # A single-use code is locked before the order row is written: a second submit waits
    # there and then finds the code used up — and is still answered with the first order.
    code = CodeFactory() if with_code else None
    data = CheckoutData(
        email="erika@example.com",
        billing=dict(BILLING),
        shipping_method_id=shipping.pk,
        payment_method_id=payment.pk,
        giftcard_number=card.display_number,
        voucher_code=code.text if code else "",
        checkout_token=uuid.uuid4(),
    )

    def submit(_i):
        try:
            return place_order({product.pk: 2}, data).pk
        except OrderAlreadyPlaced as exc:
            return ("again", exc.order.pk)

    outcomes = run_concurrently(submit, 6)

    order = Order.objects.get()
    assert outcomes.count(order.pk) == 1, outcomes
    assert outcomes.count(("again", order.pk)) == 5, outcomes
    card = GiftCard.objects.get(pk=card.pk)
    assert card_spent(card) == order.giftcard_total > 0
    assert card.balance == Decimal("100.00") - order.giftcard_total
    assert confirmations() == 1
    assert Product.objects.get(pk=product.pk).stock == 8
    if code:
        assert order.voucher_code == code.text


# --- one after the other ------------------------------------------------------------------


@pytest.fixture
def post_data(shipping, card_payment):
    def make(**overrides):
        return checkout_post(shipping, card_payment, **{"email": "guest@example.com", **overrides})

    return make


@pytest.fixture
def page(client, product, shipping, card_payment):
    """A guest's checkout page with 2 × the product in the cart: ``page.post(**overrides)``
    sends its form (with the page's token)."""

    class Page:
        url = reverse("orders:checkout")
        token = None

        def open(self):
            self.token = page_token(client.get(self.url))
            return self

        def post(self, **overrides):
            data = checkout_post(
                shipping, card_payment, **{"checkout_token": self.token, **overrides}
            )
            return client.post(self.url, data)

    add_to_cart(client, product, 2)
    return Page().open()


@pytest.mark.django_db
def test_sending_the_same_page_again_shows_its_order_and_places_nothing(client, page, product):
    first = page.post()
    assert first.status_code == 302 and first["Location"] == reverse("orders:success")
    order = Order.objects.get()
    again = page.post()  # the reload's "send again", or a slow second click
    assert again.status_code == 302 and again["Location"] == reverse("orders:success")
    assert Order.objects.get() == order
    assert confirmations() == 1
    assert order.number in client.get(reverse("orders:success")).content.decode()
    # Something new in the cart meanwhile stays there for the next order.
    add_to_cart(client, product, 1)
    assert page.post()["Location"] == reverse("orders:success")
    assert Order.objects.count() == 1
    assert client.session["cart"] == {str(product.pk): 1}


@pytest.mark.django_db
def test_a_customers_second_submit_shows_the_first_order(client, customer, product, post_data):
    client.force_login(customer)
    add_to_cart(client, product)
    token = page_token(client.get(reverse("orders:checkout")))
    for _submit in range(2):
        response = client.post(
            reverse("orders:checkout"), post_data(email=customer.email, checkout_token=token)
        )
        assert response["Location"] == reverse("orders:success")
    assert Order.objects.get().customer == customer


@pytest.mark.django_db
def test_every_view_of_the_page_carries_a_new_token(client, product, shipping, card_payment):
    add_to_cart(client, product)
    # (The guest's address fields are a kept fragment: the token is not part of it.)
    tokens = {page_token(client.get(reverse("orders:checkout"))) for _view in range(3)}
    assert len(tokens) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("token", [None, "", "not-a-token", "1" * 64])
def test_a_submit_without_a_valid_token_places_nothing_and_asks_again(page, token):
    response = page.post(checkout_token=token)
    assert response.status_code == 200
    assert "Your order has not been placed yet." in response.content.decode()
    assert not Order.objects.exists()
    # The page shown again carries a new token: sending it places the order.
    page.token = page_token(response)
    assert page.post().status_code == 302
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_a_token_of_someone_elses_order_shows_no_order_and_places_nothing(page, product):
    assert page.post().status_code == 302
    order = Order.objects.get()
    stranger = Client()
    add_to_cart(stranger, product, 1)
    data = checkout_post(order.shipping_method, order.payment_method, email="someone@example.com")
    response = stranger.post(page.url, {**data, "checkout_token": page.token})
    assert response.status_code == 200
    html = response.content.decode()
    assert "An order has already been placed from this checkout page." in html
    assert order.number not in html and "erika@example.com" not in html
    assert Order.objects.count() == 1
    # Sent from the page shown again (its own new token), their order is placed.
    response = stranger.post(page.url, {**data, "checkout_token": page_token(response)})
    assert response.status_code == 302
    assert Order.objects.count() == 2
