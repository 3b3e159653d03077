"""A product's warnings and safety information in the customer's language (GPSR): one text per
language like the name and description, the default language's text until it is translated —
on the product page, in the backoffice and in the import/export."""

from io import StringIO

import pytest
import tablib
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from shop import demo
from shop.models import Product
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def page(client, product, language):
    with translation.override(language):
        url = reverse("shop:product", args=[product.slug])
    return client.get(url).content.decode()


def test_the_product_page_shows_the_warnings_in_the_customers_language(client):
    product = ProductFactory(
        safety_information_en="Keep away from children.",
        safety_information_pl="Przechowywać z dala od dzieci.",
    )
    assert "Przechowywać z dala od dzieci." in page(client, product, "pl")
    assert "Keep away from children." not in page(client, product, "pl")
    # Not translated yet: the original text, never nothing.
    assert "Keep away from children." in page(client, product, "da")


def test_the_backoffice_edits_the_warnings_per_language(admin_client):
    product = ProductFactory(safety_information_en="Hot.")
    html = admin_client.get(reverse("admin:shop_product_change", args=[product.pk])).content
    for language in ("en", "de", "pl", "da"):
        assert f'name="safety_information_{language}"'.encode() in html


def test_import_and_export_carry_the_warnings_per_language(tmp_path, admin_client):
    product = ProductFactory(sku="KIT-1", safety_information_en="Hot.", safety_information_de="")
    path = tmp_path / "p.csv"
    path.write_text(
        "sku,safety_information,safety_information_de,safety_information_da\n"
        "KIT-1,Gets hot.,Wird heiß.,\n",
        encoding="utf-8",
    )
    call_command("import_products", str(path), stdout=StringIO(), stderr=StringIO())
    product.refresh_from_db()
    assert (product.safety_information_en, product.safety_information_de) == (
        "Gets hot.",
        "Wird heiß.",
    )
    assert not product.safety_information_da  # an empty cell leaves it untranslated
    response = admin_client.post(
        reverse("admin:shop_product_export"),
        {
            "format": "0",
            "resource": "0",
            **{
                f"productresource_{c}": "on"
                for c in ("sku", "safety_information", "safety_information_de")
            },
        },
    )
    rows = tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv").dict
    assert rows[0]["safety_information"] == "Gets hot."
    assert rows[0]["safety_information_de"] == "Wird heiß."


@pytest.mark.parametrize("language", ["de", "pl", "da"])
def test_the_demo_shop_warns_in_every_language(language):
    ProductFactory(sku="PAN-002", safety_information_en=demo.SAFETY["PAN-002"])
    demo.translate_catalog()
    product = Product.objects.get(sku="PAN-002")
    text = getattr(product, f"safety_information_{language}")
    assert text and text != demo.SAFETY["PAN-002"]
