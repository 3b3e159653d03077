"""Marketing works on the catalog (shop/roles.py): adds and edits products and categories —
names in every language, sale prices, pictures — but the stock quantity stays with the
roles that hold ``shop.change_product_stock`` (read-only in the form, refused by the
import), and it deletes no product. A view-only role is offered no button it may not use."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shop.models import PriceHistory, Product
from shop.roles import setup_roles
from tests.factories import CategoryFactory, ProductFactory, RoleUserFactory, UserFactory
from tests.html_forms import FormParser, post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketing(client):
    setup_roles()
    user = RoleUserFactory(role="Marketing")
    client.force_login(user)
    return user


def form_data(client, url):
    """The change form's fields as the page sends them."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    parser = FormParser(url)
    parser.feed(page.content.decode())
    fields = max(parser.forms, key=lambda form: len(form.fields)).fields
    return {
        name: values if len(values) > 1 else values[0] for name, values in post_data(fields).items()
    }


def test_marketing_has_the_catalog_permissions_but_not_the_stock(marketing):
    for perm in (
        "shop.add_product",
        "shop.change_product",
        "shop.add_category",
        "shop.change_category",
        "shop.add_productimage",
        "shop.change_productimage",
        "shop.delete_productimage",
    ):
        assert marketing.has_perm(perm), perm
    assert not marketing.has_perm("shop.change_product_stock")
    assert not marketing.has_perm("shop.delete_product")
    assert not marketing.has_perm("shop.delete_category")


def test_marketing_edits_a_sale_price_and_the_danish_name_not_the_stock(client, marketing):
    product = ProductFactory(price=Decimal("20.00"), stock=7, name_en="Mug", name_da=None)
    url = reverse("admin:shop_product_change", args=[product.pk])
    data = form_data(client, url)
    assert "stock" not in data  # read-only for Marketing
    data.update({"sale_price": "15,00", "name_da": "Krus", "stock": "999", "_save": "1"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    product.refresh_from_db()
    assert product.sale_price == Decimal("15.00") and product.name_da == "Krus"
    assert product.stock == 7
    assert PriceHistory.objects.filter(product=product, sale_price=Decimal("15.00")).exists()


def test_the_stock_is_shown_read_only_to_marketing(client, marketing):
    product = ProductFactory(stock=7)
    html = client.get(reverse("admin:shop_product_change", args=[product.pk])).content.decode()
    assert 'name="stock"' not in html
    assert 'class="readonly">7<' in html


def test_a_product_marketing_adds_starts_sold_out(client, marketing):
    CategoryFactory(slug="cups")
    url = reverse("admin:shop_product_add")
    data = form_data(client, url)
    data.update(
        {
            "name_en": "Tea cup",
            "name_da": "Tekop",
            "sku": "CUP-1",
            "category": str(CategoryFactory().pk),
            "price": "9,90",
            "stock": "50",
            "_save": "1",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    cup = Product.objects.get(sku="CUP-1")
    assert cup.stock == 0 and cup.name_da == "Tekop"


def test_marketing_deletes_no_product(client, marketing):
    product = ProductFactory()
    response = client.get(reverse("admin:shop_product_delete", args=[product.pk]))
    assert response.status_code == 403


def test_the_manager_still_edits_the_stock(client):
    setup_roles()
    client.force_login(RoleUserFactory(role="Shop manager"))
    product = ProductFactory(stock=7)
    url = reverse("admin:shop_product_change", args=[product.pk])
    data = form_data(client, url)
    assert data["stock"] == "7"
    response = client.post(url, {**data, "stock": "12", "_save": "1"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.stock == 12


def preview(client, csv):
    return client.post(
        reverse("admin:shop_product_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("p.csv", csv)},
    )


def test_marketings_import_may_change_prices_but_not_the_stock(client, marketing):
    ProductFactory(sku="KIT-1", name_en="Pot", price=Decimal("9.00"), stock=7)
    html = preview(client, b"sku,name,price,stock\nKIT-1,Pot,9.50,100\n").content.decode()
    assert "Your role may not change the stock" in html
    assert "Confirm import" not in html
    html = preview(client, b"sku,name,price,stock\nKIT-1,Pot,9.50,7\n").content.decode()
    assert "Your role may not change the stock" not in html and "Confirm import" in html


def unconfirmed_customer_page(client):
    customer = UserFactory(is_confirmed=False)
    return client.get(reverse("admin:customers_user_change", args=[customer.pk])).content.decode()


def test_a_view_only_role_is_not_offered_a_new_confirmation_link(client, marketing):
    html = unconfirmed_customer_page(client)
    assert "has not confirmed the account yet" in html
    assert "Send a new confirmation link" not in html and 'id="resend-confirmation"' not in html


def test_a_role_that_may_change_customers_is(client):
    setup_roles()
    client.force_login(RoleUserFactory(role="Sales"))
    html = unconfirmed_customer_page(client)
    assert "Send a new confirmation link" in html and 'id="resend-confirmation"' in html
