"""Product import/export (issue 25): CSV/XLSX through the backoffice with a dry-run
preview and row errors, and ``manage.py import_products FILE [--dry-run]``; a price change
by import is recorded in the price history."""

from decimal import Decimal
from io import BytesIO, StringIO

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from shop.catalog_import import COLUMNS
from shop.models import PriceHistory, Product
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

HEADER = "sku,name,category,price,sale_price,stock,content_quantity,content_unit,tax_rate\n"


def preview(client, csv):
    """The backoffice import page's answer to uploading ``csv`` (bytes) as a CSV file."""
    return client.post(
        reverse("admin:shop_product_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("p.csv", csv)},
    )


def write(tmp_path, text, name="products.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_products", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_creates_and_updates_products_and_records_price_changes(tmp_path):
    CategoryFactory(slug="pantry")
    jam = ProductFactory(sku="PAN-002", name="Jam", price=Decimal("6.50"))
    path = write(
        tmp_path,
        HEADER
        + "PAN-002,Nordic berry jam,pantry,5.90,,120,250,g,7.00\n"
        + "PAN-009,Cloudberry jam,pantry,8.90,7.90,30,200,g,7.00\n",
    )
    out, _err = run(path)
    assert "1 new, 1 updated" in out
    jam.refresh_from_db()
    assert jam.price == Decimal("5.90") and jam.name == "Nordic berry jam"
    assert list(
        PriceHistory.objects.filter(product=jam)
        .order_by("recorded_at")
        .values_list("price", flat=True)
    ) == [Decimal("6.50"), Decimal("5.90")]
    new = Product.objects.get(sku="PAN-009")
    assert new.current_price() == Decimal("7.90") and new.unit_price() == (Decimal("39.50"), "kg")


def test_dry_run_changes_nothing(tmp_path):
    CategoryFactory(slug="pantry")
    path = write(tmp_path, HEADER + "NEW-1,Honey,pantry,9.00,,5,,,7.00\n")
    out, _err = run(path, "--dry-run")
    assert "Dry run: 1 new" in out
    assert not Product.objects.exists()


def test_a_bad_row_is_reported_and_nothing_is_imported(tmp_path):
    CategoryFactory(slug="pantry")
    path = write(
        tmp_path,
        HEADER
        + "OK-1,Honey,pantry,9.00,,5,,,7.00\n"
        + "BAD-1,Sale too high,pantry,9.00,12.00,5,,,7.00\n"
        + "BAD-2,No category,nowhere,9.00,,5,,,7.00\n",
    )
    with pytest.raises(CommandError, match="nothing was imported"):
        run(path)
    assert not Product.objects.exists()


def test_errors_name_their_rows(tmp_path):
    CategoryFactory(slug="pantry")
    path = write(tmp_path, HEADER + "BAD-1,Too precise,pantry,9.001,,5,,,7.00\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_products", path, stdout=StringIO(), stderr=err)
    assert "row 2" in err.getvalue()  # as a spreadsheet numbers it: the header is row 1


@pytest.mark.parametrize(
    "row, message",
    [
        ("N-1,Honey,pantry,abc,,5,,,7.00", "“abc” is not a number"),
        ("N-1,Honey,pantry,NaN,,5,,,7.00", "“NaN” is not a number"),
        ("N-1,Honey,pantry,9.00,,viele,,,7.00", "“viele” is not a whole number"),
        ("N-1,Honey,pantry,9.00,,1e999999,,,7.00", "is not a whole number"),
        ("N-1,Honey,pantry,9.00,,5,,,sieben", "“sieben” is not a number"),
    ],
)
def test_a_cell_that_is_not_a_number_is_a_clear_row_error(tmp_path, row, message):
    CategoryFactory(slug="pantry")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_products", write(tmp_path, HEADER + row + "\n"), stdout=StringIO(), stderr=err
        )
    assert message in err.getvalue() and "decimal." not in err.getvalue()
    assert not Product.objects.exists()


def test_the_backoffice_names_a_bad_number_in_the_readers_language(admin_client, staff):
    CategoryFactory(slug="pantry")
    staff.language = "da"
    staff.save(update_fields=["language"])
    csv = (HEADER + "N-1,Honey,pantry,abc,,5,,,7.00\n").encode()
    response = preview(admin_client, csv)
    html = response.content.decode()
    assert "“abc” er ikke et tal" in html and "ConversionSyntax" not in html
    assert "Nogle rækker indeholder fejl" in html and "Række" in html
    assert not Product.objects.exists()


def test_xlsx_import_and_unreadable_files(tmp_path):
    CategoryFactory(slug="living")
    data = tablib.Dataset(headers=["sku", "name", "category", "price", "tax_rate"])
    data.append(["LIV-9", "Wool socks", "living", "19.00", "19.00"])
    path = tmp_path / "products.xlsx"
    path.write_bytes(data.export("xlsx"))
    run(str(path))
    assert Product.objects.get(sku="LIV-9").price == Decimal("19.00")
    with pytest.raises(CommandError, match=".csv or .xlsx"):
        run(write(tmp_path, "x", "products.txt"))
    with pytest.raises(CommandError):
        run(str(tmp_path / "missing.csv"))


def test_backoffice_import_previews_changes_then_imports(admin_client):
    CategoryFactory(slug="pantry")
    ProductFactory(sku="PAN-002", price=Decimal("6.50"))
    csv = (HEADER + "PAN-002,Jam,pantry,5.50,,10,,,7.00\n").encode()
    response = preview(admin_client, csv)
    page = response.content.decode()
    assert response.status_code == 200 and "Confirm import" in page
    assert "Update" in page and "PAN-002" in page
    assert Product.objects.get(sku="PAN-002").price == Decimal("6.50")  # preview only
    confirm = response.context["confirm_form"]
    response = admin_client.post(
        reverse("admin:shop_product_process_import"),
        {**confirm.initial, "resource": "0", "format": "0"},
    )
    assert response.status_code == 302
    assert Product.objects.get(sku="PAN-002").price == Decimal("5.50")


def test_backoffice_import_shows_row_errors(admin_client):
    csv = (HEADER + "X-1,Nothing,nowhere,1.00,,1,,,7.00\n").encode()
    response = preview(admin_client, csv)
    assert "Unknown category" in response.content.decode()
    assert not Product.objects.exists()


def test_backoffice_export_as_csv(admin_client):
    ProductFactory(sku="EXP-1", name="=HYPERLINK(1)")
    response = admin_client.post(
        reverse("admin:shop_product_export"),
        {"format": "0", "resource": "0", **{f"productresource_{c}": "on" for c in ("sku", "name")}},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "EXP-1" in body
    assert "=HYPERLINK" not in body.replace("'=HYPERLINK", "")  # formulas neutralised
    assert BytesIO(response.content)


def test_the_export_page_names_the_columns_in_the_readers_language(admin_client, staff):
    staff.language = "da"
    staff.save(update_fields=["language"])
    html = admin_client.get(reverse("admin:shop_product_export")).content.decode()
    assert "Bruttopris (price)" in html and "Kategori (category)" in html
    assert "Følgende felter eksporteres" in html and "Vælg alle" in html
    assert "Navn – Dansk (name_da)" in html and "Navn – Engelsk (name)" in html
    assert ">Sale Price<" not in html


def test_the_import_preview_names_each_rows_kind_in_the_readers_language(admin_client, staff):
    ProductFactory(sku="KIT-1", name="Pot", price=Decimal("9.00"))
    staff.language = "pl"
    staff.save(update_fields=["language"])
    csv = b"sku,name,price,tax_rate\nKIT-1,Pot,9.50,19.00\n"
    response = preview(admin_client, csv)
    html = response.content.decode()
    assert "Aktualizacja" in html and "Zaktualizuj" not in html and "Update" not in html
    assert "Potwierdź import" in html
    assert Product.objects.get(sku="KIT-1").price == Decimal("9.00")  # a preview only


def import_in_backoffice(client, csv):
    response = preview(client, csv)
    confirm = response.context["confirm_form"]
    return client.post(
        reverse("admin:shop_product_process_import"),
        {**confirm.initial, "resource": "0", "format": "0"},
    )


def test_names_go_to_the_files_language_not_the_importing_operators(admin_client, staff):
    """A Polish operator importing ``name`` (the default language's text) changes the English
    name and leaves the Polish one alone; ``name_pl`` is the Polish name."""
    ProductFactory(sku="KIT-1", name_en="Pot", name_pl="Garnek", name_de="Topf")
    staff.language = "pl"
    staff.save(update_fields=["language"])
    csv = "sku,name,name_da,description_pl,price,tax_rate\nKIT-1,Cast-iron pot,Gryde,Żeliwny,9.50,19.00\n"
    assert import_in_backoffice(admin_client, csv.encode()).status_code == 302
    pot = Product.objects.get(sku="KIT-1")
    assert (pot.name_en, pot.name_pl, pot.name_de, pot.name_da) == (
        "Cast-iron pot",
        "Garnek",
        "Topf",
        "Gryde",
    )
    assert pot.description_pl == "Żeliwny"


def test_an_export_imported_back_changes_nothing_in_any_language(admin_client, staff, tmp_path):
    """Untranslated products export empty translation cells (not the English fallback) and
    stay untranslated when the file comes back, whoever exports and imports it."""
    CategoryFactory(slug="pantry")
    ProductFactory(sku="T-1", name_en="Tea", name_de="Tee", category__slug="cups")
    ProductFactory(sku="H-1", name_en="Honey", name_de=None, name_pl=None, name_da=None)
    staff.language = "de"
    staff.save(update_fields=["language"])
    response = admin_client.post(
        reverse("admin:shop_product_export"),
        {"format": "0", "resource": "0", **{f"productresource_{c}": "on" for c in COLUMNS}},
    )
    body = response.content.decode("utf-8-sig")
    # For a German operator's Excel: ";"-separated (shop.catalog_import.ProductCSV).
    rows = {
        row["sku"]: row for row in tablib.Dataset().load(body, format="csv", delimiter=";").dict
    }
    assert rows["H-1"]["name"] == "Honey" and rows["H-1"]["name_de"] == ""
    assert rows["T-1"]["name"] == "Tea" and rows["T-1"]["name_de"] == "Tee"
    out, _err = run(write(tmp_path, body))
    assert "0 new, 0 updated" in out
    honey = Product.objects.get(sku="H-1")
    assert not honey.name_de and not honey.name_pl and honey.name_en == "Honey"


def test_a_row_without_a_name_is_an_error(tmp_path):
    ProductFactory(sku="KIT-1", name_en="Pot", name_de="Topf")
    with pytest.raises(CommandError, match="nothing was imported"):
        run(write(tmp_path, "sku,name,name_de\nKIT-1,,Topf\n"))
    assert Product.objects.get(sku="KIT-1").name_en == "Pot"


def test_row_validation_errors_are_listed_in_words_not_only_in_a_hover_badge(admin_client, staff):
    CategoryFactory(slug="pantry")
    staff.language = "de"
    staff.save(update_fields=["language"])
    csv = (
        HEADER
        + "OK-1,Honey,pantry,9.00,,5,,,7.00\n"
        + "BAD-1,Jam,pantry,9.00,12.00,5,,,7.00\n"
        + "BAD-2,Tea,pantry,9.00,,5,100,zz,7.00\n"
    )
    response = preview(admin_client, csv.encode())
    html = response.content.decode()
    assert "Die Validierung einiger Zeilen schlug fehl" in html
    # Numbered as the operator's spreadsheet numbers them: the header row is row 1.
    assert "Zeilen sind wie in einer Tabellenkalkulation nummeriert" in html
    assert "<li>Zeile 3: Der Angebotspreis muss niedriger als der Preis sein.</li>" in html
    assert "<li>Zeile 4, Spalte „content_unit“: " in html
    assert "<td>3</td>" in html and "<td>4</td>" in html
    assert "validation-error-container" not in html  # no hover-only popup
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    "header, message",
    [
        ("name,price", "no “sku” column"),
        ("sku,name,prcie", "Unknown columns: prcie."),
        ("sku,name,price,price", "Columns given twice: price."),
        ("sku,name,,price", "Column 3 holds values but has no name"),
    ],
)
def test_a_file_with_wrong_columns_is_refused_before_any_row(tmp_path, header, message):
    ProductFactory(sku="KIT-1", name_en="Pot", price=Decimal("9.00"))
    cells = ["KIT-1", "Pot", "5.00", "7.00"][: header.count(",") + 1]
    with pytest.raises(CommandError, match="nothing was imported"):
        run(write(tmp_path, f"{header}\n{','.join(cells)}\n"))
    _out, err = run_safely(write(tmp_path, f"{header}\n{','.join(cells)}\n"))
    assert message in err
    assert Product.objects.get(sku="KIT-1").price == Decimal("9.00")


def run_safely(path):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("import_products", path, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_backoffice_names_wrong_columns_in_words_without_a_traceback(admin_client, staff):
    staff.language = "pl"
    staff.save(update_fields=["language"])
    csv = b"sku,name,prcie\nKIT-1,Pot,5.00\n"
    response = preview(admin_client, csv)
    html = response.content.decode()
    assert "Nieznane kolumny: prcie." in html
    assert "Traceback" not in html and "Potwierdź import" not in html
    assert not Product.objects.exists()


def test_a_semicolon_csv_with_decimal_commas_as_a_german_spreadsheet_saves_it(tmp_path):
    CategoryFactory(slug="pantry")
    ProductFactory(sku="PAN-1", name_en="Jam", price=Decimal("6.50"))
    text = (
        "sku;name;category;price;sale_price;tax_rate;content_quantity;content_unit\n"
        "PAN-1;Jam;pantry;5,90;;7,00;0,25;kg\n"
        "PAN-2;Big honey;pantry;1234,50;;7;;\n"
    )
    out, _err = run(write(tmp_path, text))
    assert "1 new, 1 updated" in out
    jam = Product.objects.get(sku="PAN-1")
    assert (jam.price, jam.tax_rate, jam.content_quantity) == (
        Decimal("5.90"),
        Decimal("7.00"),
        Decimal("0.25"),
    )
    assert Product.objects.get(sku="PAN-2").price == Decimal("1234.50")


@pytest.mark.parametrize(
    "amount, message",
    [
        ("1.234,50", "“1.234,50” is not a number"),  # grouped: refused, never guessed
        ("1,234.50", "“1,234.50” is not a number"),
        ("1,234", "no more than 2 decimal places"),  # 1.234 € (shop.money's rule), not 1234
    ],
)
def test_a_grouped_or_over_precise_amount_is_refused(tmp_path, amount, message):
    """Amounts are read as every typed amount of the shop (shop.money.normalise_decimal)."""
    ProductFactory(sku="PAN-1", price=Decimal("6.50"))
    _out, err = run_safely(write(tmp_path, f'sku,price\nPAN-1,"{amount}"\n'))
    assert message in err
    assert Product.objects.get(sku="PAN-1").price == Decimal("6.50")


def test_a_row_longer_than_the_header_is_named(tmp_path, admin_client, staff):
    text = "sku,name,price\nKIT-1,Pot,5.00\nKIT-2,Pan, large,7.00\n"
    with pytest.raises(CommandError, match="Row 3 has 4 cells, but the header row names 3"):
        run(write(tmp_path, text))
    staff.language = "da"
    staff.save(update_fields=["language"])
    response = preview(admin_client, text.encode())
    html = response.content.decode()
    assert "Række 3 har 4 celler" in html and "InvalidDimensions" not in html
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    "cell, active", [("ja", True), ("Nein", False), ("tak", True), ("nej", False), ("1", True)]
)
def test_yes_and_no_in_the_shops_languages(tmp_path, cell, active):
    ProductFactory(sku="KIT-1", is_active=not active)
    run(write(tmp_path, f"sku,is_active\nKIT-1,{cell}\n"))
    assert Product.objects.get(sku="KIT-1").is_active is active


def test_an_unknown_yes_or_no_is_an_error_and_an_empty_one_keeps_the_value(tmp_path):
    """The library read "x" or "oui" as "no": a product went off the shop without a word."""
    ProductFactory(sku="KIT-1", is_active=True, allow_backorders=True)
    _out, err = run_safely(write(tmp_path, "sku,is_active\nKIT-1,oui\n"))
    assert "“oui” is neither yes nor no" in err
    assert Product.objects.get(sku="KIT-1").is_active is True
    run(write(tmp_path, "sku,is_active,allow_backorders,price\nKIT-1,,,5.00\n"))
    pot = Product.objects.get(sku="KIT-1")
    assert pot.is_active is True and pot.allow_backorders is True and pot.price == Decimal("5.00")


def test_sale_dates_as_written_in_the_shops_countries(tmp_path):
    from django.utils import timezone

    ProductFactory(sku="KIT-1", price=Decimal("10.00"))
    run(
        write(
            tmp_path, "sku,sale_price,sale_start,sale_end\nKIT-1,8.00,01.12.2026 10:00,24.12.2026\n"
        )
    )
    pot = Product.objects.get(sku="KIT-1")
    start, end = timezone.localtime(pot.sale_start), timezone.localtime(pot.sale_end)
    assert (start.date().isoformat(), start.hour, start.minute) == ("2026-12-01", 10, 0)
    assert (end.date().isoformat(), end.hour, end.minute) == ("2026-12-24", 23, 59)


def test_a_date_with_slashes_is_refused_not_read_the_american_way(tmp_path):
    """01/12/2026 is the 1st of December in Europe and was read as 12 January."""
    ProductFactory(sku="KIT-1", price=Decimal("10.00"))
    _out, err = run_safely(
        write(tmp_path, "sku,sale_price,sale_start\nKIT-1,8.00,01/12/2026 10:00\n")
    )
    assert "“01/12/2026 10:00” is not a date and time" in err
    assert Product.objects.get(sku="KIT-1").sale_start is None


def test_an_xlsx_date_cell_ends_a_sale_at_the_end_of_that_day(tmp_path):
    from datetime import date, datetime

    from django.utils import timezone

    ProductFactory(sku="KIT-1", price=Decimal("10.00"))
    data = tablib.Dataset(headers=["sku", "sale_price", "sale_start", "sale_end"])
    data.append(["KIT-1", "8.00", datetime(2026, 12, 1, 10, 0), date(2026, 12, 24)])
    path = tmp_path / "products.xlsx"
    path.write_bytes(data.export("xlsx"))
    run(str(path))
    pot = Product.objects.get(sku="KIT-1")
    start, end = timezone.localtime(pot.sale_start), timezone.localtime(pot.sale_end)
    assert (start.date().isoformat(), start.hour) == ("2026-12-01", 10)
    assert (end.date().isoformat(), end.hour, end.minute) == ("2026-12-24", 23, 59)


def test_an_unreadable_xlsx_file_is_named_in_words_in_the_backoffice(admin_client):
    response = admin_client.post(
        reverse("admin:shop_product_import"),
        {
            "resource": "0",
            "format": "1",  # XLSX
            "import_file": SimpleUploadedFile("p.xlsx", b"this is no spreadsheet"),
        },
    )
    html = response.content.decode()
    assert "The file could not be read:" in html and "encountered while" not in html
    assert not Product.objects.exists()


@pytest.mark.parametrize("language", ["en", "de", "pl", "da"])
@pytest.mark.parametrize("stock", ["1.000", "5,5", "1e3", "1_000", "\u0665", "3 000", "2.0"])
def test_a_count_is_a_plain_whole_number_in_every_operators_language(
    admin_client, staff, language, stock
):
    """The library read a count through Django's sanitize_separators and int(): "1.000"
    became 1 and, for a German operator, "5,5" became 5 — silently, as a stock change."""
    staff.language = language
    staff.save(update_fields=["language"])
    ProductFactory(sku="KIT-1", stock=37)
    html = preview(admin_client, f"sku;stock\nKIT-1;{stock}\n".encode()).content.decode()
    assert "import-row-errors" in html and "confirm" not in html.split("import-row-errors")[1]
    assert Product.objects.get(sku="KIT-1").stock == 37


def test_a_count_from_a_spreadsheet_number_cell_is_read(tmp_path):
    ProductFactory(sku="KIT-1", stock=37)
    book = tablib.Dataset(headers=["sku", "stock", "low_stock_threshold"])
    book.append(["KIT-1", 12.0, 3])
    path = tmp_path / "p.xlsx"
    path.write_bytes(book.export("xlsx"))
    run(str(path))
    product = Product.objects.get(sku="KIT-1")
    assert (product.stock, product.low_stock_threshold) == (12, 3)


@pytest.mark.parametrize("rate", ["-7", "250", "190"])
def test_a_vat_rate_outside_0_to_50_is_refused(tmp_path, rate):
    ProductFactory(sku="KIT-1", tax_rate=Decimal("19.00"))
    _out, err = run_safely(write(tmp_path, f"sku,tax_rate\nKIT-1,{rate}\n"))
    assert "row 2: tax_rate:" in err
    assert Product.objects.get(sku="KIT-1").tax_rate == Decimal("19.00")


def test_a_name_too_long_is_one_error_under_the_files_column(tmp_path):
    """modeltranslation validates name and name_en alike: the row had two errors, one under
    a column the file does not have."""
    ProductFactory(sku="KIT-1")
    _out, err = run_safely(write(tmp_path, f"sku,name\nKIT-1,{'x' * 300}\n"))
    assert err.count("at most 200 characters") == 1
    assert "row 2: name:" in err and "name_en" not in err


def test_a_file_saved_as_windows_1252_is_named_not_a_codec_error(tmp_path, admin_client, staff):
    path = tmp_path / "p.csv"
    path.write_bytes("sku,name\nKIT-1,Kaffeemühle\n".encode("cp1252"))
    with pytest.raises(CommandError, match="not saved as UTF-8"):
        run(str(path))
    staff.language = "de"
    staff.save(update_fields=["language"])
    html = preview(admin_client, path.read_bytes()).content.decode()
    assert "nicht als UTF-8 gespeichert" in html and "codec" not in html


def test_an_exported_sale_reimported_unchanged_changes_nothing(tmp_path, admin_client):
    """The export writes a sale's start and end to the second; a stored moment can have a
    fraction of a second (set by a command or the demo data). The same moment read back —
    or typed to the minute — is no change, and no price-history entry."""
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now().replace(microsecond=123456) + timedelta(days=1, seconds=17)
    product = ProductFactory(
        sku="PAN-1",
        price=Decimal("6.50"),
        sale_price=Decimal("5.00"),
        sale_start=start,
        sale_end=start + timedelta(days=3),
    )
    history = PriceHistory.objects.filter(product=product).count()
    response = admin_client.post(
        reverse("admin:shop_product_export"),
        {"format": "0", "resource": "0", **{f"productresource_{c}": "on" for c in COLUMNS}},
    )
    body = response.content.decode("utf-8-sig")
    assert timezone.localtime(start).strftime("%Y-%m-%d %H:%M:%S") in body
    out, _err = run(write(tmp_path, body))
    assert "0 new, 0 updated" in out
    minute = timezone.localtime(start).strftime("%Y-%m-%d %H:%M")
    out, _err = run(write(tmp_path, f"sku,sale_start\nPAN-1,{minute}\n"))
    assert "0 new, 0 updated" in out
    product.refresh_from_db()
    assert product.sale_start == start
    assert PriceHistory.objects.filter(product=product).count() == history


# --- a SKU or slug twice, every error in one pass, blank rows, units ---------------------


def test_a_sku_twice_in_one_file_is_both_rows_error_and_nothing_is_imported(tmp_path, admin_client):
    """The first row's 5,00 would land in the price history (and the Omnibus "lowest price
    of 30 days" would show a price never charged)."""
    sofa = ProductFactory(sku="LIV-001", price=Decimal("99.00"))
    csv = 'sku,price\nLIV-001,"5,00"\nLIV-001,"89,00"\n'
    _out, err = run_safely(write(tmp_path, csv))
    message = "The SKU “LIV-001” appears in rows 2 and 3"
    assert f"row 2: sku: {message}" in err and f"row 3: sku: {message}" in err
    html = preview(admin_client, csv.encode()).content.decode()
    assert f"Row 2, column “sku”: {message}" in html and f"Row 3, column “sku”: {message}" in html
    assert "Confirm import" not in html
    sofa.refresh_from_db()
    assert sofa.price == Decimal("99.00")
    assert not PriceHistory.objects.filter(product=sofa, price=Decimal("5.00")).exists()


def test_a_slug_twice_in_one_file_is_an_error(tmp_path):
    CategoryFactory(slug="kitchen")
    csv = "sku,name,category,price,tax_rate,slug\nN-10,A,kitchen,1,19,same\nN-11,B,kitchen,1,19,same\n"
    _out, err = run_safely(write(tmp_path, csv))
    assert "row 3: slug: The slug “same” appears in rows 2 and 3" in err
    assert not Product.objects.exists()


MANY_ERRORS = (
    "sku,price,content_quantity,content_unit,stock,tax_rate,category\n"
    'PAN-002,"9,99","0,5",m²,"1.000",7,pantry\n'
    'PAN-003,"12,5",,,-4,190,garden\n'
)


def test_every_error_of_every_row_is_shown_at_once(tmp_path, admin_client, staff):
    """An unknown category used to stop its row at that error and hide the other rows'
    errors in the preview."""
    CategoryFactory(slug="pantry")
    ProductFactory(sku="PAN-002", price=Decimal("9.00"))
    ProductFactory(sku="PAN-003", price=Decimal("12.00"))
    _out, err = run_safely(write(tmp_path, MANY_ERRORS))
    assert "row 2: stock: “1.000” is not a whole number." in err
    assert "row 3: category: Unknown category “garden”" in err
    assert "row 3: tax_rate: " in err
    assert "row 3: The stock can only be below zero while backorders are allowed." in err
    assert err.count("row 3: ") == 3  # category, tax rate, stock below zero
    assert "content_unit" not in err  # m² is m2
    staff.language = "pl"
    staff.save(update_fields=["language"])
    html = preview(admin_client, MANY_ERRORS.encode()).content.decode()
    assert "Wiersz 3, kolumna „category”" in html or "Row 3, column “category”" in html
    assert html.count("<li>Wiersz 3") + html.count("<li>Row 3") == 3
    assert html.count("<li>Wiersz 2") + html.count("<li>Row 2") == 1
    assert Product.objects.get(sku="PAN-002").price == Decimal("9.00")


@pytest.mark.parametrize("unit", ["m²", "m2", "M2"])
def test_square_metres_as_people_write_them(tmp_path, unit):
    ProductFactory(sku="FLO-1", price=Decimal("20.00"))
    run(write(tmp_path, f"sku,content_quantity,content_unit\nFLO-1,2,{unit}\n"))
    assert Product.objects.get(sku="FLO-1").content_unit == "m2"


def test_an_unknown_content_unit_names_the_units(tmp_path):
    ProductFactory(sku="FLO-1")
    _out, err = run_safely(write(tmp_path, "sku,content_quantity,content_unit\nFLO-1,2,qm\n"))
    assert "content_unit: “qm” is not a content unit (use one of g, kg, ml, l, cm, m, m2)." in err


def test_blank_rows_are_ignored(tmp_path):
    ProductFactory(sku="KIT-1", price=Decimal("9.00"))
    out, _err = run(write(tmp_path, "sku,name,price\nKIT-1,Pot,9.50\n , ,\n,,\n"))
    assert "0 new, 1 updated, 0 unchanged" in out
    assert Product.objects.get(sku="KIT-1").price == Decimal("9.50")


def test_a_new_products_slug_keeps_its_letters_in_ascii(tmp_path):
    CategoryFactory(slug="kitchen")
    run(write(tmp_path, "sku,name,category,price,tax_rate\nZŁ-1,Łódź mug Æble,kitchen,9,19\n"))
    assert Product.objects.get(sku="ZŁ-1").slug == "lodz-mug-aeble-zl-1"


# --- round trips: what the export writes, the import reads back unchanged ------------------

FORMULAS = {
    "name_de": '=HYPERLINK("http://evil.example","Klick")',
    "name_pl": "-20% Patelnia",
    "description_de": "+cmd|' /C calc'!A0",
    "description_pl": "@SUM(1+1)",
    "manufacturer": "'=already quoted",
}


def export(client, file_format):
    """The backoffice export of every column: ``file_format`` "0" is CSV, "1" XLSX."""
    return client.post(
        reverse("admin:shop_product_export"),
        {
            "format": file_format,
            "resource": "0",
            **{f"productresource_{c}": "on" for c in COLUMNS},
        },
    ).content


def formula_products():
    CategoryFactory(slug="kitchen")
    ProductFactory(
        sku="KIT-9",
        name_en="Skillet",
        category__slug="pans",
        price=Decimal("59.00"),
        stock=None,
        content_quantity=None,
        **FORMULAS,
    )
    ProductFactory(
        sku="KIT-8", name_en="Towels", price=Decimal("18.50"), stock=7, allow_backorders=True
    )


def assert_formulas_kept():
    skillet = Product.objects.get(sku="KIT-9")
    assert {field: getattr(skillet, field) for field in FORMULAS} == FORMULAS
    assert skillet.stock is None and skillet.content_quantity is None
    assert skillet.name_da is None and skillet.price == Decimal("59.00")


def test_the_csv_export_neutralises_formulas_and_comes_back_unchanged(admin_client, tmp_path):
    formula_products()
    body = export(admin_client, "0").decode("utf-8-sig")
    rows = {row["sku"]: row for row in tablib.Dataset().load(body, format="csv").dict}
    assert rows["KIT-9"]["name_de"] == "'" + FORMULAS["name_de"]
    assert rows["KIT-9"]["name_pl"] == "'-20% Patelnia"
    assert rows["KIT-9"]["description_de"].startswith("'+cmd")
    assert rows["KIT-9"]["description_pl"] == "'@SUM(1+1)"
    assert rows["KIT-9"]["manufacturer"] == "''=already quoted"
    assert rows["KIT-9"]["name"] == "Skillet" and rows["KIT-9"]["stock"] == ""
    out, _err = run(write(tmp_path, body))
    assert "0 new, 0 updated, 2 unchanged" in out
    assert_formulas_kept()


def test_the_xlsx_export_keeps_types_and_comes_back_unchanged(admin_client, tmp_path):
    """The library's formula escaping wrote every cell as text: "None", "False", "59.00" —
    the file could not be imported again."""
    formula_products()
    content = export(admin_client, "1")
    sheet = tablib.Dataset().load(content, format="xlsx")
    rows = {row["sku"]: row for row in sheet.dict}
    skillet, towels = rows["KIT-9"], rows["KIT-8"]
    assert skillet["name_de"] == "'" + FORMULAS["name_de"]
    assert skillet["name_pl"] == "'-20% Patelnia"
    assert skillet["name_da"] in (None, "") and skillet["stock"] in (None, "")
    assert isinstance(skillet["price"], int | float) and skillet["price"] == 59
    assert towels["stock"] == 7 and towels["allow_backorders"] is True
    assert skillet["is_active"] is True
    texts = [value for row in sheet for value in row if isinstance(value, str)]
    assert "None" not in texts and "False" not in texts and "59.00" not in texts
    path = tmp_path / "products.xlsx"
    path.write_bytes(content)
    out, _err = run(str(path))
    assert "0 new, 0 updated, 2 unchanged" in out
    assert_formulas_kept()
    # The backoffice reads the same file the same way.
    response = admin_client.post(
        reverse("admin:shop_product_import"),
        {"resource": "0", "format": "1", "import_file": SimpleUploadedFile("p.xlsx", content)},
    )
    html = response.content.decode()
    assert "Confirm import" in html and "Errors" not in html
    assert "Some rows failed to validate" not in html


def test_a_new_product_without_its_vat_rate_is_refused_an_update_keeps_its_rate(tmp_path):
    """The model's default is Germany's 19 %: a Polish or Danish shop (or a book at 7 %) must
    not get it without a word (an operator's set-up audit)."""
    ProductFactory(sku="KIT-1", name="Pot", price=Decimal("9.00"), tax_rate=Decimal("7.00"))
    kitchen = Product.objects.get(sku="KIT-1").category.slug
    out, err = run_safely(write(tmp_path, f"sku,name,category,price\nKIT-2,Pan,{kitchen},7.00\n"))
    assert "A new product needs its VAT rate" in out + err
    assert not Product.objects.filter(sku="KIT-2").exists()
    run(write(tmp_path, "sku,name,price\nKIT-1,Pot,9.50\n"))
    assert Product.objects.get(sku="KIT-1").tax_rate == Decimal("7.00")
    run(write(tmp_path, f"sku,name,category,price,tax_rate\nKIT-2,Pan,{kitchen},7.00,7\n"))
    assert Product.objects.get(sku="KIT-2").tax_rate == Decimal("7.00")
