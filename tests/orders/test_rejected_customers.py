"""A rejected customer can order neither with the account nor as a guest (issue 18, point 4)."""

import pytest
from django.urls import reverse

from customers.services import CustomerError
from orders.models import Order
from tests.checkout import add_to_cart, checkout_post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BLOCKED = "Your customer account is blocked. Please contact us."


def test_a_rejected_customer_cannot_order_as_a_guest_with_the_same_address(make_order):
    UserFactory(email="blocked@example.com", is_rejected=True)
    with pytest.raises(CustomerError, match="blocked"):
        make_order(email="Blocked@Example.com ")
    assert not Order.objects.exists()
    make_order(email="someone.else@example.com")  # other guests still order


def test_guest_checkout_page_refuses_the_address_of_a_rejected_customer(
    client, product, shipping, card_payment
):
    UserFactory(email="blocked@example.com", is_rejected=True)
    add_to_cart(client, product)
    response = client.post(
        reverse("orders:checkout"),
        checkout_post(shipping, card_payment, email="blocked@example.com"),
    )
    assert response.status_code == 200
    assert BLOCKED in response.content.decode()
    assert not Order.objects.exists()


def test_a_session_of_a_customer_rejected_since_does_not_fall_back_to_a_guest_order(
    client, product, shipping, card_payment
):
    customer = UserFactory(email="was.fine@example.com")
    client.force_login(customer)
    add_to_cart(client, product)
    customer.is_rejected = True
    customer.save(update_fields=["is_rejected"])

    page = client.get(reverse("orders:checkout"))
    assert BLOCKED in page.content.decode()
    # Even under another e-mail address: the session belongs to the rejected customer.
    response = client.post(
        reverse("orders:checkout"),
        checkout_post(shipping, card_payment, email="another.address@example.com"),
    )
    assert response.status_code == 200
    assert BLOCKED in response.content.decode()
    assert not Order.objects.exists()
