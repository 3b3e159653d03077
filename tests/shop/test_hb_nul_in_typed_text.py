"""A NUL character pasted into a storefront text field (a message, a review, a checkout note)
is dropped in one place (shop.middleware) instead of answering 400 and losing what the
customer typed; field names, upload names, the URL and the query string still get the 400."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from orders.models import Order
from reviews.models import Review
from tests.checkout import add_to_cart, checkout_post
from tests.factories import PaymentMethodFactory, ProductFactory, ShippingMethodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client500():
    return Client(raise_request_exception=False)


def test_a_review_with_a_nul_is_stored_without_it(client500):
    product = ProductFactory()
    response = client500.post(
        reverse("reviews:submit", args=[product.slug]),
        {
            "rating": "5",
            "text": "Great\x00 lamp",
            "author_name": "Er\x00ika",
            "email": "erika@example.com",
            "website": "",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.text, review.author_name) == ("Great lamp", "Erika")


def test_a_checkout_note_with_a_nul_places_the_order_with_the_note(client500):
    product = ProductFactory(price=Decimal("10.00"))
    shipping, payment = ShippingMethodFactory(), PaymentMethodFactory(code="card", kind="card")
    add_to_cart(client500, product)
    response = client500.post(
        reverse("orders:checkout"),
        checkout_post(shipping, payment, customer_note="Please ring\x00 twice"),
    )
    assert response.status_code == 302
    assert Order.objects.get().customer_note == "Please ring twice"


@pytest.mark.parametrize(
    "where",
    [
        lambda c: c.get("/products/?q=%00"),
        lambda c: c.post("/contact/", {"message\x00": "x"}),
    ],
    ids=["query-value", "form-name"],
)
def test_nul_outside_typed_form_values_is_still_a_400_page(client500, where):
    response = where(client500)
    assert response.status_code == 400
    assert 'class="site-header"' in response.content.decode()
