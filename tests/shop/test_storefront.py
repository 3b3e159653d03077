"""Storefront pages and the session cart."""

from decimal import Decimal

import pytest
from django.urls import reverse

from shop.cart import SESSION_KEY
from shop.models import ShopSettings
from tests.factories import CategoryFactory, ProductFactory, ShippingMethodFactory

pytestmark = pytest.mark.django_db


def cart_of(client):
    return client.session.get(SESSION_KEY, {})


def test_home_lists_new_products_and_categories(client, django_assert_max_num_queries):
    ShopSettings.load()  # the settings row exists in a running shop (its first load inserts it)
    kitchen = CategoryFactory(name="Kitchen")
    for i in range(10):
        ProductFactory(name=f"Pot {i}", category=kitchen)
    ProductFactory(name="Hidden pot", category=kitchen, is_active=False)
    ShippingMethodFactory(free_over=Decimal("50.00"))
    # 8 for the page + the page cache's storefront version, the next sale boundary, and the
    # version move of creating the settings row (a shop has it already)
    with django_assert_max_num_queries(11):
        response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["products"]) == 8
    assert "Hidden pot" not in page
    assert "Kitchen" in page and "10 products" in page
    assert "Free shipping from €50.00" in page


def test_product_page(client, product):
    response = client.get(reverse("shop:product", args=[product.slug]))
    page = response.content.decode()
    assert response.status_code == 200
    assert product.name in page and "€20.00" in page
    assert "incl. 19% VAT" in page
    assert reverse("shop:cart_add") in page


def test_product_without_vat_says_so_not_zero_percent(client):
    """A gift card (a multi-purpose voucher: VAT falls due when it pays for goods) reads
    "not subject to VAT", not "incl. 0% VAT"; goods at 0 % still link the shipping costs."""
    card = ProductFactory(name="Gift card", tax_rate=0, is_giftcard=True)
    page = client.get(card.get_absolute_url()).content.decode()
    assert "not subject to VAT" in page and "0% VAT" not in page
    assert reverse("shop:shipping_costs") not in page.split("not subject to VAT")[1][:80]
    book = ProductFactory(name="Newspaper", tax_rate=0)
    page = client.get(book.get_absolute_url()).content.decode()
    assert "not subject to VAT, plus" in page and "0% VAT" not in page
    page = client.get(f"/de{card.get_absolute_url()}").content.decode()
    assert "nicht umsatzsteuerpflichtig" in page


def test_inactive_product_is_404(client):
    hidden = ProductFactory(is_active=False)
    assert client.get(reverse("shop:product", args=[hidden.slug])).status_code == 404


def test_sold_out_product_has_no_buy_button(client):
    sold_out = ProductFactory(stock=0)
    page = client.get(sold_out.get_absolute_url()).content.decode()
    assert "Sold out" in page
    assert reverse("shop:cart_add") not in page


def test_category_and_search_lists(client, django_assert_max_num_queries):
    ShopSettings.load()  # the settings row exists in a running shop (its first load inserts it)
    pantry = CategoryFactory(name="Pantry", slug="pantry")
    jam = ProductFactory(name="Berry jam", category=pantry)
    ProductFactory(name="Coffee", category=pantry)
    ProductFactory(name="Blanket")
    for _ in range(30):
        ProductFactory(category=pantry)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("shop:category", args=["pantry"]))
    assert response.context["products"].paginator.count == 32
    assert len(response.context["products"]) == 24  # first page
    found = client.get(reverse("shop:products"), {"q": "jam"}).context["products"]
    assert list(found) == [jam]
    by_sku = client.get(reverse("shop:products"), {"q": jam.sku.lower()}).context["products"]
    assert list(by_sku) == [jam]
    # A page the list does not have is not found (it was the last page, with 200).
    assert client.get(reverse("shop:products"), {"page": "999"}).status_code == 404


def test_unknown_category_is_404(client):
    assert client.get(reverse("shop:category", args=["nope"])).status_code == 404


# --- cart ------------------------------------------------------------------------------


def test_add_update_and_remove(client, product):
    other = ProductFactory(price=Decimal("5.00"))
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 2})
    client.post(reverse("shop:cart_add"), {"product": other.pk, "quantity": 1})
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    assert cart_of(client) == {str(product.pk): 3, str(other.pk): 1}
    response = client.get(reverse("shop:cart"))
    assert response.context["goods_total"] == Decimal("65.00")

    client.post(reverse("shop:cart_update"), {f"qty-{product.pk}": "5", f"qty-{other.pk}": "1"})
    assert cart_of(client) == {str(product.pk): 5, str(other.pk): 1}
    client.post(reverse("shop:cart_update"), {f"qty-{other.pk}": "0"})  # 0 removes
    assert cart_of(client) == {str(product.pk): 5}
    client.post(reverse("shop:cart_update"), {"remove": str(product.pk)})
    assert cart_of(client) == {}
    assert "Your cart is empty." in client.get(reverse("shop:cart")).content.decode()


@pytest.mark.parametrize("value", ["abc", "-1", "100", "2.5"])
def test_bad_quantity_changes_nothing(client, product, value):
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 2})
    response = client.post(reverse("shop:cart_update"), {f"qty-{product.pk}": value}, follow=True)
    assert cart_of(client) == {str(product.pk): 2}
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_cart_update_cannot_add_products(client, product):
    other = ProductFactory()
    client.post(reverse("shop:cart_add"), {"product": product.pk})
    client.post(reverse("shop:cart_update"), {f"qty-{other.pk}": "4"})
    assert cart_of(client) == {str(product.pk): 1}


@pytest.mark.parametrize(
    "data", [{"product": "999999"}, {"product": "x"}, {"quantity": "100"}, {"quantity": "0"}]
)
def test_cart_add_refuses_bad_input(client, product, data):
    data = {"product": product.pk, **data}
    response = client.post(reverse("shop:cart_add"), data, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == reverse("shop:home")  # never an off-site redirect
    assert cart_of(client) == {}


def test_cart_add_refuses_sold_out_and_inactive(client):
    sold_out = ProductFactory(stock=0)
    hidden = ProductFactory(is_active=False)
    client.post(reverse("shop:cart_add"), {"product": sold_out.pk})
    client.post(reverse("shop:cart_add"), {"product": hidden.pk})
    assert cart_of(client) == {}


def test_cart_add_requires_post(client, product):
    assert client.get(reverse("shop:cart_add"), {"product": product.pk}).status_code == 405


def test_cart_shows_missing_amount_for_free_shipping(client, product):
    ShippingMethodFactory(free_over=Decimal("50.00"))
    client.post(reverse("shop:cart_add"), {"product": product.pk})  # 20.00
    page = client.get(reverse("shop:cart")).content.decode()
    assert "Add €30.00 more for free shipping." in page
    client.post(reverse("shop:cart_update"), {f"qty-{product.pk}": "3"})
    assert "ships free of charge" in client.get(reverse("shop:cart")).content.decode()


def test_free_shipping_of_a_method_limited_to_some_countries_names_them(client, product):
    """Nobody in Austria is promised free shipping that only goes to Germany."""
    ShippingMethodFactory(free_over=Decimal("50.00"), countries=["DE"])
    ShippingMethodFactory(free_over=None, price=Decimal("9.90"))
    assert "Free shipping to Germany from €50.00" in client.get("/").content.decode()
    client.post(reverse("shop:cart_add"), {"product": product.pk})  # 20.00
    page = client.get(reverse("shop:cart")).content.decode()
    assert "Add €30.00 more for free shipping to Germany." in page
    client.post(reverse("shop:cart_update"), {f"qty-{product.pk}": "3"})
    page = client.get(reverse("shop:cart")).content.decode()
    assert "Your order ships free of charge to Germany." in page


def test_cart_page_query_count_is_constant(client, django_assert_max_num_queries):
    for _ in range(12):
        client.post(reverse("shop:cart_add"), {"product": ProductFactory().pk})
    client.get(reverse("shop:cart"))  # consume the flash messages, create shop settings
    with django_assert_max_num_queries(10):  # constant: one query for all lines
        response = client.get(reverse("shop:cart"))
    assert len(response.context["lines"]) == 12


def test_language_switch_to_german(client, product):
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    page = client.get(reverse("shop:cart"), follow=True).content.decode()
    assert '<html lang="de">' in page
    assert "Ihr Warenkorb" in page


def test_the_home_page_promises_the_withdrawal_period_of_the_settings(client):
    """It promised "30 days" while the legal text said 14."""
    shop = ShopSettings.load()
    shop.withdrawal_period_days = 21
    shop.save()
    page = client.get(reverse("shop:home")).content.decode()
    assert "21 days to return your order" in page and "30 days" not in page


@pytest.mark.parametrize("page", ["0", "-1", "3", "9999", "abc", "1.5"])
def test_a_page_the_list_does_not_have_is_not_found(client, page):
    """``Paginator.get_page`` answered each with the first or the last page (200)."""
    kitchen = CategoryFactory(slug="kitchen")
    for i in range(30):  # two pages of 24
        ProductFactory(name=f"Pot {i}", category=kitchen)
    for url in (reverse("shop:products"), reverse("shop:category", args=["kitchen"])):
        assert client.get(url, {"page": page}).status_code == 404, url
        assert client.get(url, {"page": "2"}).status_code == 200
        assert client.get(url).status_code == 200


def test_an_empty_list_has_its_first_page(client):
    CategoryFactory(slug="empty")
    assert client.get(reverse("shop:category", args=["empty"]), {"page": "1"}).status_code == 200
    assert client.get(reverse("shop:products"), {"q": "nothing at all"}).status_code == 200
