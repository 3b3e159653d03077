"""The cart holds no more than can be sold: adding or updating beyond the stock of a product
that tracks its stock (and cannot be backordered) caps the line at the stock and says so, the
cart page warns about lines the stock has fallen below since, and a quantity the product page
cannot take gets a quantity error instead of "cannot be added" (storefront audit)."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from shop.cart import MAX_QUANTITY
from shop.models import Product
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def cart_of(client):
    return client.session.get("cart", {})


def add(client, product, quantity):
    response = client.post(
        reverse("shop:cart_add"), {"product": product.pk, "quantity": quantity}, follow=True
    )
    return html.unescape(response.content.decode())


def update(client, product, quantity):
    response = client.post(
        reverse("shop:cart_update"), {f"qty-{product.pk}": quantity}, follow=True
    )
    return html.unescape(response.content.decode())


@pytest.fixture
def board():
    return ProductFactory(name="Oak cutting board", stock=6, price=Decimal("29.00"))


# --- adding ----------------------------------------------------------------------------


def test_adding_more_than_the_stock_caps_the_line_and_says_so(client, board):
    page = add(client, board, 10)
    assert cart_of(client) == {str(board.pk): 6}
    assert "Only 6 × Oak cutting board are available; your cart now holds 6." in page
    assert "was added to your cart" not in page


def test_adding_to_a_line_that_already_holds_the_stock_adds_nothing_and_says_so(client, board):
    add(client, board, 4)
    page = add(client, board, 3)
    assert cart_of(client) == {str(board.pk): 6}
    assert "Only 6 × Oak cutting board are available; your cart now holds 6." in page
    page = add(client, board, 1)
    assert cart_of(client) == {str(board.pk): 6}
    assert (
        "Only 6 × Oak cutting board are available and all of them are already in your cart." in page
    )
    assert "was added to your cart" not in page


def test_the_last_piece_reads_in_the_singular(client):
    product = ProductFactory(name="Linen apron", stock=1)
    page = add(client, product, 2)
    assert cart_of(client) == {str(product.pk): 1}
    assert "Only 1 × Linen apron is available; your cart now holds 1." in page


def test_adding_within_the_stock_is_added_as_before(client, board):
    page = add(client, board, 6)
    assert cart_of(client) == {str(board.pk): 6}
    assert "Oak cutting board was added to your cart." in page


@pytest.mark.parametrize(
    "stock, backorders", [(None, False), (2, True), (0, True), (-3, True)], ids=str
)
def test_untracked_and_backorder_products_are_not_capped_by_the_stock(client, stock, backorders):
    product = ProductFactory(name="Rye bread", stock=stock, allow_backorders=backorders)
    page = add(client, product, 10)
    assert cart_of(client) == {str(product.pk): 10}
    assert "Rye bread was added to your cart." in page


def test_a_sold_out_product_cannot_be_added_and_says_why(client):
    product = ProductFactory(name="Copper kettle", stock=0)
    page = add(client, product, 1)
    assert cart_of(client) == {}
    assert "Copper kettle is sold out." in page


def test_adding_beyond_the_line_maximum_says_the_line_was_capped(client):
    product = ProductFactory(name="Tea light")
    add(client, product, 97)
    page = add(client, product, 5)
    assert cart_of(client) == {str(product.pk): MAX_QUANTITY}
    assert "You can order at most 99 × Tea light; your cart now holds 99." in page
    page = add(client, product, 5)
    assert cart_of(client) == {str(product.pk): MAX_QUANTITY}
    assert "You can order at most 99 × Tea light, and your cart already holds 99." in page
    assert "was added to your cart" not in page


@pytest.mark.parametrize("typed", ["100000", "100", "-1", "0", "1.5", "", "abc"])
def test_a_quantity_the_product_page_cannot_take_gets_a_quantity_error(client, board, typed):
    page = add(client, board, typed)
    assert cart_of(client) == {}
    assert "Please enter a quantity between 1 and 99." in page
    assert "This product cannot be added to the cart." not in page


def test_an_unknown_product_still_cannot_be_added(client):
    response = client.post(
        reverse("shop:cart_add"), {"product": "999999", "quantity": "1"}, follow=True
    )
    assert "This product cannot be added to the cart." in response.content.decode()
    assert cart_of(client) == {}


# --- updating --------------------------------------------------------------------------


def test_updating_beyond_the_stock_caps_the_line_and_says_so(client, board):
    add(client, board, 2)
    page = update(client, board, 10)
    assert cart_of(client) == {str(board.pk): 6}
    assert "Only 6 × Oak cutting board are available; your cart now holds 6." in page


def test_updating_within_the_stock_updates_as_before(client, board):
    add(client, board, 2)
    page = update(client, board, 5)
    assert cart_of(client) == {str(board.pk): 5}
    assert "Your cart was updated." in page
    assert "available" not in page.split('id="messages"')[1].split("</ul>")[0]


def test_updating_a_line_whose_product_sold_out_meanwhile_removes_it_and_says_so(client, board):
    add(client, board, 2)
    Product.objects.filter(pk=board.pk).update(stock=0)
    page = update(client, board, 2)
    assert cart_of(client) == {}
    assert "Oak cutting board is sold out and was removed from your cart." in page


# --- the cart page ---------------------------------------------------------------------


def test_the_cart_warns_about_a_line_above_the_current_stock(client, board):
    add(client, board, 5)
    Product.objects.filter(pk=board.pk).update(stock=3)  # someone else bought three
    page = html.unescape(client.get(reverse("shop:cart")).content.decode())
    assert cart_of(client) == {str(board.pk): 5}  # looking at the cart changes nothing
    assert "Only 3 available: please lower the quantity." in page
    assert (
        "Some quantities in your cart are more than we have in stock: "
        "please lower them before you order." in page
    )
    assert f'aria-describedby="stock-{board.pk}"' in page
    assert 'aria-invalid="true"' in page


def test_the_cart_warns_about_a_line_that_sold_out_meanwhile(client, board):
    add(client, board, 2)
    Product.objects.filter(pk=board.pk).update(stock=0)
    page = html.unescape(client.get(reverse("shop:cart")).content.decode())
    assert "Sold out: please remove it from your cart." in page


def test_the_cart_does_not_warn_within_the_stock(client, board):
    add(client, board, 6)
    page = html.unescape(client.get(reverse("shop:cart")).content.decode())
    assert "please lower" not in page and "aria-invalid" not in page


def test_the_stock_warning_does_not_cost_queries(client, board, django_assert_max_num_queries):
    other = ProductFactory(stock=1)
    add(client, board, 5)
    add(client, other, 1)
    Product.objects.filter(pk=board.pk).update(stock=3)
    client.get(reverse("shop:cart"))  # session, settings, shipping methods: warmed up
    with django_assert_max_num_queries(8):
        client.get(reverse("shop:cart"))
