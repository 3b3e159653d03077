"""The cart reads a quantity as people type one: digits. Python's int() also reads "1_0" as 10
(and " 3 ", "٣"); the cart took "1_0" for ten."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["1_0", "0_1", "1e1", "+2"])
def test_adding_refuses_a_quantity_that_is_not_plain_digits(client, typed):
    product = ProductFactory(price=Decimal("5.00"))
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": typed})
    assert not client.session.get("cart")


@pytest.mark.parametrize("typed", ["1_0", "1e1"])
def test_updating_keeps_the_quantity_when_it_is_not_plain_digits(client, typed):
    product = ProductFactory(price=Decimal("5.00"))
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": "2"})
    client.post(reverse("shop:cart_update"), {f"qty-{product.pk}": typed})
    assert client.session["cart"] == {str(product.pk): 2}
