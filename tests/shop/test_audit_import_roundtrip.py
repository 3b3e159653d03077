"""An export imported again unchanged changes nothing, as CSV and as XLSX (README, "Import /
export") — also for a sale ending at exactly 00:00.

The XLSX import read every date cell at midnight as a date alone, and a date alone in
``sale_end`` is the end of that day: the unchanged export of a sale ending on 25 December at
00:00 (the shop's time zone) moved its end to 23:59:59, so the sale ran a day longer, and a
price-history entry was written for a change nobody made. Only a cell formatted as a date
alone is a day (``shop.catalog_import.load_xlsx``); a date-and-time cell at midnight is that
moment — in the backoffice and in ``manage.py import_products`` alike.
"""

from datetime import date, datetime
from decimal import Decimal
from io import StringIO

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from shop.catalog_import import COLUMNS
from shop.models import PriceHistory, Product
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"  # the formats' places in the backoffice's lists


def local(*args):
    return timezone.make_aware(datetime(*args), timezone.get_current_timezone())


START, END = local(2030, 12, 1, 10, 0), local(2030, 12, 25, 0, 0)


def sale_ending_at_midnight():
    return ProductFactory(
        sku="MUG-1",
        price=Decimal("12.90"),
        sale_price=Decimal("9.90"),
        sale_start=START,
        sale_end=END,
    )


def export(client, fmt):
    response = client.post(
        reverse("admin:shop_product_export"),
        {"format": fmt, "resource": "0", **{f"productresource_{c}": "on" for c in COLUMNS}},
    )
    assert response.status_code == 200
    return response.content


def preview(client, fmt, content):
    name = "p.csv" if fmt == CSV else "p.xlsx"
    return client.post(
        reverse("admin:shop_product_import"),
        {"resource": "0", "format": fmt, "import_file": SimpleUploadedFile(name, content)},
    )


def confirm(client, fmt, response):
    return client.post(
        reverse("admin:shop_product_process_import"),
        {**response.context["confirm_form"].initial, "resource": "0", "format": fmt},
    )


def stored(product):
    return Product.objects.filter(pk=product.pk).values().get()


@pytest.mark.parametrize("fmt", [CSV, XLSX], ids=["csv", "xlsx"])
def test_an_unchanged_export_with_a_sale_ending_at_midnight_changes_nothing(admin_client, fmt):
    product = sale_ending_at_midnight()
    before, history = stored(product), PriceHistory.objects.filter(product=product).count()
    response = preview(admin_client, fmt, export(admin_client, fmt))
    totals = response.context["result"].totals
    assert (totals["new"], totals["update"], totals["skip"]) == (0, 0, 1)
    assert confirm(admin_client, fmt, response).status_code == 302
    assert stored(product) == before
    assert timezone.localtime(Product.objects.get(pk=product.pk).sale_end) == END
    assert PriceHistory.objects.filter(product=product).count() == history
    # The sale is over at midnight, not a day later.
    assert product.current_price(local(2030, 12, 25, 12, 0)) == Decimal("12.90")


@pytest.mark.parametrize("fmt", [CSV, XLSX], ids=["csv", "xlsx"])
def test_the_command_reads_the_export_back_unchanged(admin_client, tmp_path, fmt):
    product = sale_ending_at_midnight()
    before, history = stored(product), PriceHistory.objects.filter(product=product).count()
    path = tmp_path / ("p.csv" if fmt == CSV else "p.xlsx")
    path.write_bytes(export(admin_client, fmt))
    out = StringIO()
    call_command("import_products", str(path), stdout=out, stderr=StringIO())
    assert "0 new, 0 updated, 1 unchanged" in out.getvalue()
    assert stored(product) == before
    assert PriceHistory.objects.filter(product=product).count() == history


def test_an_xlsx_date_cell_is_still_the_whole_day_and_a_midnight_cell_that_moment(admin_client):
    """A date typed alone into a spreadsheet ends the sale at the end of that day; a date
    and time at 00:00 ends it then."""
    ProductFactory(sku="MUG-1", price=Decimal("12.90"))
    ProductFactory(sku="MUG-2", price=Decimal("12.90"))
    data = tablib.Dataset(headers=["sku", "sale_price", "sale_start", "sale_end"])
    data.append(["MUG-1", 9.9, datetime(2030, 12, 1, 10, 0), date(2030, 12, 24)])
    data.append(["MUG-2", 9.9, datetime(2030, 12, 1, 10, 0), datetime(2030, 12, 25, 0, 0)])
    response = preview(admin_client, XLSX, data.export("xlsx"))
    assert confirm(admin_client, XLSX, response).status_code == 302
    ends = {
        sku: timezone.localtime(end) for sku, end in Product.objects.values_list("sku", "sale_end")
    }
    assert ends == {"MUG-1": local(2030, 12, 24, 23, 59, 59), "MUG-2": END}
