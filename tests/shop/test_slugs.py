"""One rule for slugs (shop.slugs): the backoffice, the catalog import and the server write
"ä" as "ae", "ø" as "oe", "ł" as "l". The backoffice's slug came from the admin's
``prepopulated_fields`` JavaScript (URLify), which wrote "ä" as "a": a product created in the
backoffice got another address than the same product imported."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from shop.admin import backoffice
from shop.models import Category, Product
from shop.slugs import product_slug, unique_slug
from tests.factories import CategoryFactory, ProductFactory
from tests.html_forms import FormParser, post_data

pytestmark = pytest.mark.django_db

NAME = "Äpfel Größe"


def _add(client, model_name, **values):
    """The backoffice's add page of ``model_name`` posted as a browser sends it, with
    ``values`` typed in."""
    url = reverse(f"admin:shop_{model_name}_add")
    page = client.get(url)
    parser = FormParser(url)
    parser.feed(page.content.decode())
    form = max(parser.forms, key=lambda form: len(form.fields))
    data = post_data(form.fields)
    data.update({name: [value] for name, value in values.items()})
    return client.post(url, {**data, "_save": "1"})


def _import(tmp_path, sku, name=NAME):
    path = tmp_path / "products.csv"
    path.write_text(f"sku,name,category,price,tax_rate\n{sku},{name},kitchen,9,19\n", "utf-8")
    call_command("import_products", str(path))
    return Product.objects.get(sku=sku)


def test_a_product_made_in_the_backoffice_gets_the_slug_the_import_gives(admin_client, tmp_path):
    kitchen = CategoryFactory(slug="kitchen")
    imported = _import(tmp_path, "AP-1")
    assert imported.slug == "aepfel-groesse-ap-1"
    imported.delete()

    response = _add(
        admin_client,
        "product",
        name_en=NAME,
        slug="",
        sku="AP-1",
        category=str(kitchen.pk),
        price="9.00",
        tax_rate="19.00",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Product.objects.get(sku="AP-1").slug == "aepfel-groesse-ap-1"


def test_a_category_made_in_the_backoffice_gets_the_servers_slug_unique(admin_client):
    assert _add(admin_client, "category", name_en=NAME, slug="").status_code == 302
    assert _add(admin_client, "category", name_en=NAME, slug="").status_code == 302
    assert _add(admin_client, "category", name_en="Æbleø Łódź", slug="").status_code == 302
    assert sorted(Category.objects.values_list("slug", flat=True)) == [
        "aebleoe-lodz",
        "aepfel-groesse",
        "aepfel-groesse-2",
    ]


def test_a_typed_slug_is_kept_and_one_emptied_is_made_again(admin_client):
    assert _add(admin_client, "category", name_en=NAME, slug="obst").status_code == 302
    category = Category.objects.get()
    assert category.slug == "obst"
    url = reverse("admin:shop_category_change", args=[category.pk])
    page = admin_client.get(url)
    parser = FormParser(url)
    parser.feed(page.content.decode())
    data = post_data(max(parser.forms, key=lambda form: len(form.fields)).fields)
    data["slug"] = [""]
    assert admin_client.post(url, {**data, "_save": "1"}).status_code == 302
    category.refresh_from_db()
    assert category.slug == "aepfel-groesse"


def test_a_name_without_letters_asks_for_a_slug(admin_client):
    response = _add(admin_client, "category", name_en="★★★", slug="")
    assert response.status_code == 200
    assert "No slug can be made from the name: please enter one." in response.content.decode()
    assert not Category.objects.exists()


def test_every_backoffice_slug_is_made_on_the_server(admin_client, staff):
    """No admin fills a slug in the browser (``prepopulated_fields``: URLify's own table);
    each one with a slug takes it empty and says so."""
    from django.test import RequestFactory

    request = RequestFactory().get("/backoffice/")
    request.user = staff
    with_slug = []
    for model, model_admin in backoffice._registry.items():
        assert not model_admin.prepopulated_fields, model._meta.label
        slug = next(
            (f for f in model._meta.fields if isinstance(f, models.SlugField) and f.name == "slug"),
            None,
        )
        if slug is None:
            continue
        with_slug.append(model._meta.label)
        field = model_admin.get_form(request)().fields["slug"]
        assert not field.required and "Left empty: made from the name" in str(field.help_text)
    assert sorted(with_slug) == ["shop.Category", "shop.Product"]
    for name in ("product", "category"):
        page = admin_client.get(reverse(f"admin:shop_{name}_add")).content.decode()
        assert 'data-prepopulated-fields="[]"' in page  # nothing for the JavaScript to fill


def test_unique_slug_keeps_to_the_column_and_counts_on():
    long_name = "Ø" * 120  # "oe" each: 240 letters for a 200-letter column
    first = ProductFactory(slug=unique_slug(Product.objects.all(), long_name))
    assert first.slug == "oe" * 100
    second = unique_slug(Product.objects.all(), long_name)
    assert len(second) <= 200 and second.endswith("-2")
    assert product_slug(Product.objects.all(), "Łódź", "ZŁ-1") == "lodz-zl-1"
    assert unique_slug(Product.objects.exclude(pk=first.pk), long_name) == first.slug
    assert Decimal(first.price)  # a real product row
