"""The storefront's cached fragments (issue 28) never show an old version of a product.

Product cards and a product page's own part are cached per process under a key made of
exactly what they show (``Product.fragment_key``): a change that bypasses every signal (a
queryset ``update()``) still shows at once; the add-to-cart form and its CSRF token are
never cached; a guest's empty review form is, a customer's prefilled one is not.
"""

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shop.models import Product
from tests.factories import ProductFactory
from tests.pages import ok_page as page

pytestmark = pytest.mark.django_db


def test_a_price_change_shows_at_once_on_the_product_page_and_its_card(client, product):
    url = reverse("shop:product", args=[product.slug])
    category_url = reverse("shop:category", args=[product.category.slug])
    assert "20.00" in page(client, url) and "20.00" in page(client, category_url)
    page(client, url)  # now from the fragment cache
    Product.objects.filter(pk=product.pk).update(price=Decimal("23.45"))  # no signal at all
    assert "23.45" in page(client, url) and "20.00" not in page(client, url)
    assert "23.45" in page(client, category_url)


def test_stock_and_a_starting_sale_show_at_once(client):
    item = ProductFactory(price=Decimal("30.00"), stock=5)
    url = reverse("shop:product", args=[item.slug])
    assert "Only 5 left" in page(client, url)
    Product.objects.filter(pk=item.pk).update(stock=0)
    html = page(client, url)
    assert "Only 5 left" not in html and "Sold out" in html
    # A sale that starts while the page is cached: no row changes, the key does.
    start = timezone.now() + timedelta(seconds=2)
    Product.objects.filter(pk=item.pk).update(
        stock=3, sale_price=Decimal("25.00"), sale_start=start
    )
    before = page(client, url)
    if timezone.now() < start:  # (a very busy machine may take longer to render)
        assert "25.00" not in before
    time.sleep(max(0.0, (start - timezone.now()).total_seconds()) + 0.1)
    assert "25.00" in page(client, url)


def test_every_visitor_gets_their_own_csrf_token_and_can_add_to_cart(product):
    url = reverse("shop:product", args=[product.slug])
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        html = page(visitor, url)
        form = html[html.index('class="buy"') :]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        tokens.append(token)
        response = visitor.post(
            reverse("shop:cart_add"),
            {"csrfmiddlewaretoken": token, "product": product.pk, "quantity": 1},
        )
        assert response.status_code == 302
    assert tokens[0] != tokens[1]


def test_the_review_form_is_shared_by_guests_but_prefilled_for_a_customer(client, product):
    from tests.factories import UserFactory

    url = reverse("shop:product", args=[product.slug])
    guest = page(client, url)
    assert "Write a review" in guest
    customer = UserFactory(first_name="Ronja", last_name="Räubertochter")
    client.force_login(customer)
    mine = page(client, url)
    assert 'value="Ronja R."' in mine  # the public name: first name, initial of the last
    client.logout()
    assert 'value="Ronja R."' not in page(client, url)


def test_a_guests_checkout_fields_are_shared_but_never_a_customers(client, product, shipping):
    from tests.factories import UserFactory

    checkout = reverse("orders:checkout")
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    guest = page(client, checkout)
    assert 'name="billing_first_name"' in guest and 'value="Ronja"' not in guest
    customer = UserFactory(first_name="Ronja", email="ronja@example.com")
    client.force_login(customer)
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    mine = page(client, checkout)
    assert 'value="Ronja"' in mine and 'value="ronja@example.com"' in mine
    client.logout()
    # A guest's rejected submission shows what they typed, not the shared empty fields.
    other = Client()
    other.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    page(other, checkout)
    response = other.post(checkout, {"email": "lena@example.com", "billing_first_name": "Lena"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Lena"' in html and 'value="lena@example.com"' in html
    third = Client()
    third.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    assert 'value="Lena"' not in page(third, checkout)


# --- kept fragments: the same for every visitor, once per storefront version -------------


def kept_template():
    from django.template import engines

    return engines["django"].from_string(
        '{% load kept %}[{% kept "test_fragment" %}{{ value }}{% endkept %}]'
    )


def test_a_kept_fragment_is_rendered_once_per_version_and_language():
    from django.utils import translation

    from shop import pagecache

    template = kept_template()
    assert template.render({"value": "first"}) == "[first]"
    assert template.render({"value": "second"}) == "[first]"  # kept
    with translation.override("de"):
        assert template.render({"value": "erste"}) == "[erste]"  # per language
    pagecache.changed()  # something a storefront page shows changed
    assert template.render({"value": "third"}) == "[third]"


def test_a_kept_fragment_needs_a_quoted_name():
    from django.template import TemplateSyntaxError, engines

    for bad in ("{% kept %}", "{% kept name %}", '{% kept "a" "b" %}'):
        with pytest.raises(TemplateSyntaxError):
            engines["django"].from_string("{% load kept %}" + bad + "x{% endkept %}")


def test_navigation_and_footer_follow_categories_and_settings_at_once(client, product):
    from shop.models import Category, ShopSettings

    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    url = reverse("shop:cart")
    html = page(client, url)
    assert "Gardening tools" not in html
    Category.objects.create(name="Gardening tools", slug="gardening-tools")
    settings_row = ShopSettings.load()
    ShopSettings.objects.filter(pk=settings_row.pk).update(legal_name="Neue Firma GmbH")
    ShopSettings.objects.get(pk=settings_row.pk).save()  # the backoffice saves the row
    html = page(client, url)
    assert 'href="/category/gardening-tools/">Gardening tools</a>' in html
    assert "<strong>Neue Firma GmbH</strong>" in html
    assert 'value="de" lang="de" selected' in page(client, "/de/cart/")
    assert 'value="en" lang="en" selected' in page(client, url)
