"""Stock (issue 25): sold out cannot be added unless the product allows backorders (then
its delivery time is shown), stock reserved at placement and released on cancel, the
low-stock threshold with its start-page tile and filtered list."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.errors import CheckoutError
from orders.services import cancel_order, place_order
from shop.models import Product
from tests.checkout import add_to_cart
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_sold_out_product_cannot_be_added_to_the_cart(client):
    product = ProductFactory(stock=0)
    page = client.get(reverse("shop:product", args=[product.slug])).content.decode()
    assert "Sold out" in page and "Add to cart" not in page
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    assert client.session.get("cart", {}) == {}


def test_backorder_product_can_be_ordered_while_sold_out_and_shows_its_delivery_time(
    client, checkout_data
):
    product = ProductFactory(stock=0, allow_backorders=True, backorder_delivery_days=12)
    page = client.get(reverse("shop:product", args=[product.slug])).content.decode()
    assert "Add to cart" in page and "Ships within 12 working days" in page
    add_to_cart(client, product, 2)
    assert "ships within 12 working days" in client.get(reverse("shop:cart")).content.decode()
    order = place_order({product.pk: 2}, checkout_data())
    assert Product.objects.get(pk=product.pk).stock == -2  # two pieces owed
    cancel_order(order)
    assert Product.objects.get(pk=product.pk).stock == 0


def test_stock_is_reserved_at_placement_and_released_on_cancel(checkout_data):
    product = ProductFactory(stock=3, price=Decimal("5.00"))
    order = place_order({product.pk: 2}, checkout_data())
    assert Product.objects.get(pk=product.pk).stock == 1
    with pytest.raises(CheckoutError):
        place_order({product.pk: 2}, checkout_data())
    cancel_order(order)
    assert Product.objects.get(pk=product.pk).stock == 3


def test_low_stock_tile_and_filtered_list(admin_client):
    low = ProductFactory(name="Almost gone", stock=3, low_stock_threshold=5)
    ProductFactory(name="Plenty", stock=50, low_stock_threshold=5)
    ProductFactory(name="Untracked", stock=None, low_stock_threshold=5)
    start = admin_client.get(reverse("admin:index")).content.decode()
    assert "Products low on stock" in start
    item = next(
        i
        for i in admin_client.get(reverse("admin:index")).context["attention"]
        if i["label"] == "Products low on stock"
    )
    assert item["count"] == 1
    page = admin_client.get(item["url"]).content.decode()
    assert low.name in page and "Plenty" not in page and "Untracked" not in page
