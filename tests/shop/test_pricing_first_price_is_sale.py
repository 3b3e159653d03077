"""A new product whose first price is already the sale price (PAngV § 11, Omnibus): it had
no earlier price in the 30 days before the sale, so the shop announces no reduction — no
struck-out price, no "lowest price of the last 30 days" — and the backoffice says so when
the product is saved."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.checkout import add_to_cart
from tests.factories import ProductFactory
from tests.html_forms import FormParser, post_data

pytestmark = pytest.mark.django_db

WARNING = "No earlier price in the last 30 days: the shop shows no reduction, only the price."


def new_sale_product(**fields):
    return ProductFactory(price=Decimal("12.90"), sale_price=Decimal("9.90"), **fields)


def test_a_new_product_on_sale_has_no_lowest_price_of_30_days():
    product = new_sale_product()
    assert product.sale_reference_price is None
    assert product.lowest_price_30_days is None  # not the 12.90 it never had
    assert product.current_price() == Decimal("9.90")


@pytest.mark.parametrize("page", ["product", "list"])
def test_its_pages_show_the_price_alone(client, page):
    product = new_sale_product()
    url = (
        reverse("shop:product", args=[product.slug])
        if page == "product"
        else reverse("shop:products")
    )
    html = client.get(url).content.decode()
    assert "€9.90" in html
    assert "<del" not in html and "€12.90" not in html
    assert "Lowest price in the last 30 days" not in html
    assert 'class="price sale' not in html and "price big sale" not in html


def test_the_cart_shows_the_price_alone(client):
    product = new_sale_product()
    add_to_cart(client, product)
    html = client.get(reverse("shop:cart")).content.decode()
    assert "€9.90" in html and "<del" not in html and "€12.90" not in html
    assert "Lowest price in the last 30 days" not in html


def test_a_later_reduction_is_still_announced(client):
    """Once the product had its price, a sale shows the lowest earlier price."""
    product = ProductFactory(price=Decimal("12.90"))
    product.sale_price = Decimal("9.90")
    product.save()
    assert product.lowest_price_30_days == Decimal("12.90")
    html = client.get(reverse("shop:product", args=[product.slug])).content.decode()
    assert "<del" in html and "Lowest price in the last 30 days: €12.90" in html


def product_form(client, url):
    page = client.get(url)
    assert page.status_code == 200
    parser = FormParser(url)
    parser.feed(page.content.decode())
    return dict(
        (name, values if len(values) > 1 else values[0])
        for name, values in post_data(
            max(parser.forms, key=lambda form: len(form.fields)).fields
        ).items()
    )


def test_the_backoffice_warns_when_a_sale_has_no_earlier_price(admin_client):
    product = new_sale_product()
    url = reverse("admin:shop_product_change", args=[product.pk])
    response = admin_client.post(
        url, {**product_form(admin_client, url), "_save": "1"}, follow=True
    )
    assert WARNING in response.content.decode()


def test_no_warning_for_a_reduction_from_an_earlier_price(admin_client):
    product = ProductFactory(price=Decimal("12.90"))
    url = reverse("admin:shop_product_change", args=[product.pk])
    data = {**product_form(admin_client, url), "sale_price": "9,90", "_save": "1"}
    response = admin_client.post(url, data, follow=True)
    product.refresh_from_db()
    assert product.sale_price == Decimal("9.90")
    assert product.sale_reference_price == Decimal("12.90")
    assert WARNING not in response.content.decode()
