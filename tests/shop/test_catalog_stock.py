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


def product_form(product, **changes):
    from tests.shop.test_product_images import change_form

    data = change_form(product)
    data.update({"images-TOTAL_FORMS": "0", "stock": str(product.stock)})
    data.update(changes)
    return data


def test_saving_a_product_page_keeps_the_stock_orders_took_while_it_was_open(
    admin_client, checkout_data
):
    """The page shows stock 10; an order takes 3; the operator fixes a typo and saves: the
    stock stays 7 (it went back to 10 — three pieces sold twice)."""
    product = ProductFactory(stock=10, price=Decimal("10.00"))
    url = reverse("admin:shop_product_change", args=[product.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="initial-stock" value="10"' in page  # the stock the operator saw
    place_order({product.pk: 3}, checkout_data())
    data = product_form(product, name_en="Enamel pot", **{"initial-stock": "10"})
    response = admin_client.post(url, data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.stock, product.name_en) == (7, "Enamel pot")


def test_a_stock_the_operator_changes_on_the_page_is_written(admin_client):
    product = ProductFactory(stock=10, price=Decimal("10.00"))
    url = reverse("admin:shop_product_change", args=[product.pk])
    data = product_form(product, stock="25", **{"initial-stock": "10"})
    assert admin_client.post(url, data).status_code == 302
    assert Product.objects.get(pk=product.pk).stock == 25


def test_an_import_keeps_the_stock_an_order_took_between_reading_and_writing_a_row(
    checkout_data,
):
    """A row is read, changed and written: only the columns the file changed are written,
    not the stock as it was read (it was: the order's three pieces came back)."""
    from shop.catalog_import import ProductResource, load_csv

    class OrderWhileImporting(ProductResource):
        def before_save_instance(self, instance, row, **kwargs):
            place_order({instance.pk: 3}, checkout_data())

    product = ProductFactory(sku="KIT-1", stock=10, price=Decimal("10.00"))
    result = OrderWhileImporting().import_data(
        load_csv("sku,price\nKIT-1,12.00\n"), use_transactions=True
    )
    assert not result.has_errors() and not result.has_validation_errors()
    product.refresh_from_db()
    assert (product.price, product.stock) == (Decimal("12.00"), 7)


def test_the_import_preview_warns_when_the_file_changes_stock(admin_client, checkout_data):
    """An export edited for its prices and imported after orders were placed would put the
    sold pieces back: the preview says how many products' stock the file changes."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    product = ProductFactory(sku="KIT-1", stock=10, price=Decimal("10.00"))
    place_order({product.pk: 3}, checkout_data())
    csv = b"sku,price,stock\nKIT-1,12.00,10\n"
    response = admin_client.post(
        reverse("admin:shop_product_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("p.csv", csv)},
    )
    html = response.content.decode()
    assert "This file changes the stock of 1 product" in html
    assert Product.objects.get(pk=product.pk).stock == 7  # a preview only
