"""The product CSV export for the reader's Excel (as the shop's other CSV downloads,
``shop.exports``): UTF-8 with a byte order mark, ";" for a German, Polish or Danish operator
(whose amounts it writes with a decimal comma), "," in English; the import reads such a
file and the older comma-separated ones. The file is named after the list in the reader's
language; the page's button says "Export"."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shop.catalog_import import COLUMNS
from shop.models import Product
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def export(client):
    return client.post(
        reverse("admin:shop_product_export"),
        {"format": "0", "resource": "0", **{f"productresource_{c}": "on" for c in COLUMNS}},
    )


def speak(staff, language):
    staff.language = language
    staff.save(update_fields=["language"])


def rows(body, delimiter):
    return {row["sku"]: row for row in csv.DictReader(io.StringIO(body), delimiter=delimiter)}


@pytest.mark.parametrize(
    "language, name", [("de", "produkte"), ("pl", "produkty"), ("da", "produkter")]
)
def test_a_german_polish_or_danish_operator_gets_semicolons_and_a_bom(
    admin_client, staff, language, name
):
    ProductFactory(sku="MUG-1", name_en="Mug, large", price=Decimal("12.90"))
    speak(staff, language)
    response = export(admin_client)
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())  # the byte order mark
    body = response.content.decode("utf-8-sig")
    header = body.splitlines()[0]
    assert header.startswith("sku;name;") and "," not in header
    row = rows(body, ";")["MUG-1"]
    assert row["price"] == "12,90" and row["name"] == "Mug, large"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="{name}-{today}.csv"'


def test_an_english_operator_gets_commas(admin_client, staff):
    ProductFactory(sku="MUG-1", price=Decimal("12.90"))
    speak(staff, "en")
    response = export(admin_client)
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("sku,name,")
    assert rows(body, ",")["MUG-1"]["price"] == "12.90"
    assert "products-" in response["Content-Disposition"]


def test_the_xlsx_export_is_named_in_the_readers_language(admin_client, staff):
    speak(staff, "de")
    response = admin_client.post(
        reverse("admin:shop_product_export"),
        {"format": "1", "resource": "0", "productresource_sku": "on"},
    )
    assert 'filename="produkte-' in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.xlsx"')


def preview(client, content):
    return client.post(
        reverse("admin:shop_product_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("p.csv", content)},
    )


def confirm(client, response):
    confirm_form = response.context["confirm_form"]
    return client.post(
        reverse("admin:shop_product_process_import"),
        {**confirm_form.initial, "resource": "0", "format": "0"},
    )


def test_a_german_export_edited_and_imported_again(admin_client, staff):
    ProductFactory(sku="MUG-1", name_en="Mug, large", name_de="Becher", price=Decimal("12.90"))
    speak(staff, "de")
    content = export(admin_client).content
    assert preview(admin_client, content).context["result"].totals["skip"] == 1  # unchanged
    edited = content.replace(b";12,90;", b";11,50;")
    assert edited != content
    response = preview(admin_client, edited)
    assert "Bestätigen" in response.content.decode() or response.context["confirm_form"]
    assert confirm(admin_client, response).status_code == 302
    mug = Product.objects.get(sku="MUG-1")
    assert mug.price == Decimal("11.50")
    assert (mug.name_en, mug.name_de) == ("Mug, large", "Becher")


def test_an_older_comma_separated_file_is_still_read(admin_client):
    ProductFactory(sku="MUG-1", name_en="Mug", price=Decimal("12.90"))
    response = preview(admin_client, b'sku,name,price\nMUG-1,"Mug, large",11.50\n')
    assert confirm(admin_client, response).status_code == 302
    mug = Product.objects.get(sku="MUG-1")
    assert mug.price == Decimal("11.50") and mug.name_en == "Mug, large"


def test_the_export_button_says_export(admin_client, staff):
    html = admin_client.get(reverse("admin:shop_product_export")).content.decode()
    assert 'type="submit" class="default" value="Export"' in html
    assert 'value="Submit"' not in html
    speak(staff, "de")
    html = admin_client.get(reverse("admin:shop_product_export")).content.decode()
    assert 'value="Exportieren"' in html and 'value="Senden"' not in html
