"""Files and pages for the person who reads them (audit of the Polish backoffice).

- The order list's "Export CSV" — and every CSV the shop writes for the reader's Excel — has
  amounts with that Excel's decimal separator ("89,30" in de/pl/da: a Polish Excel reads
  "89.30" as text and "12.05" as a date), no thousands separator, and dates Excel reads
  ("2026-12-03 16:19"); files for scripts keep "89.30".
- The bulk files are named in the reader's language, in ASCII ("zamowienia-….csv").
- The credit-note list's "refund via payment method" is a formatted amount.
- The pick list's addresses have the street; the packing slip names the carrier the parcel
  went with; the shipment page shows the delivery address's company and country.
"""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone, translation

from orders import pdf, services
from orders.models import Order
from orders.services import bulk
from shop.exports import (
    BOM,
    csv_response,
    csv_streaming_response,
    csv_tables,
    csv_text,
    excel_decimal_separator,
    write_rows,
)
from shop.money import format_money
from tests.factories import ProductFactory, StaffFactory
from tests.orders.factories import ship_all
from tests.orders.test_documents import pdf_text

WARSAW = {
    "first_name": "Jan",
    "last_name": "Kowalski",
    "company": "Kowalski Sp. z o.o.",
    "street": "ul. Długa 15",
    "postcode": "00-238",
    "city": "Warszawa",
    "country": "PL",
}
STAMP = r"\d{8}-\d{4}"


def parse(text, delimiter=";"):
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


# --- shop.exports ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "delimiter", "amounts"),
    [
        ("de", ";", ["-16,29", "1234,50", "89,30", "12,05"]),
        ("pl", ";", ["-16,29", "1234,50", "89,30", "12,05"]),
        ("da", ";", ["-16,29", "1234,50", "89,30", "12,05"]),
        ("en", ",", ["-16.29", "1234.50", "89.30", "12.05"]),
    ],
)
def test_amounts_have_the_decimal_separator_of_the_readers_excel(language, delimiter, amounts):
    row = [Decimal("-16.29"), Decimal("1234.50"), Decimal("89.30"), Decimal("12.05")]
    with translation.override(language):
        text = csv_text(["a", "b", "c", "d"], [row, [3, "-1", "12.05", "=1+1"]])
        tables = csv_tables((["a"], [[Decimal("-3.50")]]))
        response = csv_response("x.csv", ["a", "b", "c", "d"], [row])
        streamed = csv_streaming_response("x.csv", ["a", "b", "c", "d"], iter([row]))
    rows = parse(text, delimiter)
    assert rows[1] == amounts  # no thousands separator: "1234,50", never "1.234,50"
    # Counts stay counts; text stays text, formula-guarded ("-1" is not a number to sum).
    assert rows[2] == ["3", "'-1", "12.05", "'=1+1"]
    assert parse(tables, delimiter)[1] == [amounts[0].replace("16", "3").replace("29", "50")]
    assert parse(response.content.decode(), delimiter)[1] == amounts
    with translation.override("en"):  # a streamed file keeps the language it was asked in
        body = b"".join(streamed.streaming_content).decode()
    assert parse(body, delimiter)[1] == amounts


def test_dates_are_written_as_excel_reads_them_in_every_language():
    created = timezone.make_aware(datetime.datetime(2026, 12, 3, 16, 19, 42))
    for language, delimiter in (("de", ";"), ("pl", ";"), ("da", ";"), ("en", ",")):
        with translation.override(language):
            text = csv_text(["a", "b"], [[created, datetime.date(2026, 5, 12)]])
        assert parse(text, delimiter)[1] == ["2026-12-03 16:19", "2026-05-12"], language


def test_files_for_scripts_keep_the_decimal_point():
    with translation.override("pl"):
        assert excel_decimal_separator() == ","
        assert csv_text(["a"], [[Decimal("-16.29")]], excel=False) == "a\r\n-16.29\r\n"
        out = io.StringIO()
        write_rows(out, ["a", "b"], [[Decimal("89.30"), 2]])
    assert out.getvalue() == "a,b\r\n89.30,2\r\n"


def test_digits_excel_would_change_stay_as_they_are_for_the_readers_excel():
    """A German Excel opened the order export with Dresden's postcode 01067 as 1067, a code
    "0042" as 42, and rounds more than 15 digits: such text is written as a formula giving
    that text. Other numbers, formulas and files for scripts are as before."""
    rows = [["01067", "10115", "0", "0042", "12345678901234567", "00-950", "=1+1", 1067]]
    with translation.override("de"):
        text = csv_text(list("abcdefgh"), rows)
    assert parse(text, ";")[1] == [
        '="01067"',
        "10115",
        "0",
        '="0042"',
        '="12345678901234567"',
        "00-950",
        "'=1+1",
        "1067",
    ]
    assert csv_text(["a"], [["01067"]], excel=False) == "a\r\n01067\r\n"  # for scripts


# --- the order list's bulk files --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "stem", "header"),
    [
        ("pl", "zamowienia", "numer zamówienia"),
        ("de", "bestellungen", None),
        ("en", "orders", None),
    ],
)
def test_the_order_export_is_written_and_named_for_the_readers_excel(
    client, make_order, language, stem, header
):
    coffee = ProductFactory(name="Kawa", price=Decimal("44.65"))
    order = make_order({coffee.pk: 2})
    client.force_login(StaffFactory(is_superuser=True, language=language))
    response = client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "bulk_export_csv", ACTION_CHECKBOX_NAME: [order.pk], "confirm": "yes"},
    )
    assert response["Content-Type"].startswith("text/csv")
    disposition = response["Content-Disposition"]
    assert re.fullmatch(rf'attachment; filename="{stem}-{STAMP}\.csv"', disposition), disposition
    delimiter = "," if language == "en" else ";"
    rows = parse(response.content.decode("utf-8"), delimiter)
    if header:
        assert rows[0][0] == header
    record = rows[1]
    assert record[0] == order.number
    order = Order.objects.get(pk=order.pk)
    total = f"{order.grand_total:f}"
    if language != "en":
        total = total.replace(".", ",")
        assert "89.30" not in record and "89,30" in record  # the goods: 2 × 44.65
    assert total in record
    created = timezone.localtime(order.created).strftime("%Y-%m-%d %H:%M")
    assert record[1] == created


@pytest.mark.django_db
def test_the_bulk_pdfs_are_named_in_the_readers_language(make_order):
    order = make_order()
    services.create_invoice(order)
    with translation.override("pl"):
        invoices = bulk.print_invoices([order.pk]).file[0]
    with translation.override("da"):
        pick_list = bulk.print_pick_list([order.pk]).file[0]
    with translation.override("de"):
        pick_list_de = bulk.print_pick_list([order.pk]).file[0]
    with translation.override("en"):
        shipped = bulk.ship_orders([order.pk]).file[0]
        slips = bulk.print_packing_slips([order.pk]).file[0]
    assert re.fullmatch(rf"faktury-{STAMP}\.pdf", invoices), invoices
    assert re.fullmatch(rf"plukliste-{STAMP}\.pdf", pick_list), pick_list
    assert re.fullmatch(rf"kommissionierliste-{STAMP}\.pdf", pick_list_de), pick_list_de
    assert re.fullmatch(rf"packing-slips-{STAMP}\.pdf", shipped), shipped
    assert re.fullmatch(rf"packing-slips-{STAMP}\.pdf", slips), slips


# --- credit notes, pick list, packing slip, shipment page -------------------------------------


@pytest.mark.django_db
def test_the_credit_note_list_shows_the_refund_as_money(admin_client, make_order):
    lamp = ProductFactory(name="Lamp", price=Decimal("39.00"))
    order = make_order({lamp.pk: 1})
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    note = services.create_credit_note(order, {order.lines.get().pk: 1})
    assert note.paid_total == Decimal("39.00")
    page = admin_client.get(reverse("admin:orders_creditnote_changelist")).content.decode()
    amount = format_money(note.paid_total, note.invoice.currency)
    assert f"{amount} · to refund" in page
    assert ">39.00 · to refund" not in page  # the bare number it showed


@pytest.mark.django_db
def test_the_pick_list_address_has_the_street(make_order):
    order = make_order(shipping=WARSAW)
    with translation.override("pl"):
        text = pdf_text(bulk.print_pick_list([order.pk]).file[1])
    assert "Kowalski Sp. z o.o." in text
    assert "ul. Długa 15" in text
    assert "00-238 Warszawa · Polska" in text


@pytest.mark.django_db
def test_an_anonymised_orders_pick_list_has_no_street(make_order):
    order = make_order(shipping=WARSAW)
    Order.objects.filter(pk=order.pk).update(
        email=f"deleted-{order.pk}@invalid", shipping_street="Deleted", shipping_company=""
    )
    text = pdf_text(bulk.print_pick_list([order.pk]).file[1])
    assert "ul. Długa" not in text and "Deleted" in text


@pytest.mark.django_db
def test_the_packing_slip_names_the_carrier_the_parcel_went_with(make_order, shipping):
    shipping.name = "DHL Paczka"
    shipping.save()
    order = make_order()
    inpost = services.create_shipment(
        order, {order.lines.get().pk: 1}, tracking=[("inpost", "123456789012345678901234")]
    )
    text = pdf_text(pdf.render_packing_slip(inpost))
    assert "Sent with InPost" in text
    assert "DHL Paczka" not in text and "Shipping method" not in text
    assert "123456789012345678901234" in text


@pytest.mark.django_db
def test_the_packing_slip_names_every_carrier_once(make_order, shipping):
    order = make_order()
    shipment = services.create_shipment(
        order,
        ship_all(order),
        tracking=[("inpost", "111"), ("dhl", "222"), ("inpost", "333")],
    )
    text = pdf_text(pdf.render_packing_slip(shipment))
    assert "Sent with DHL, InPost" in text


@pytest.mark.django_db
def test_a_packing_slip_without_tracking_shows_the_shipping_method(make_order, shipping):
    shipping.name = "DHL Paczka"
    shipping.save()
    order = make_order()
    shipment = services.create_shipment(order, ship_all(order))
    text = pdf_text(pdf.render_packing_slip(shipment))
    assert "Shipping method DHL Paczka" in text and "Sent with" not in text


@pytest.mark.django_db
def test_the_shipment_page_shows_company_and_country(admin_client, make_order):
    order = make_order(shipping=WARSAW)
    shipment = services.create_shipment(order, ship_all(order))
    page = admin_client.get(reverse("admin:orders_shipment_change", args=[shipment.pk]))
    html = page.content.decode()
    address = re.search(r'<td class="addr">(.*?)</td>', html, re.S).group(1)
    assert address.split("<br>") == [
        "Kowalski Sp. z o.o.",
        "Jan Kowalski",
        "ul. Długa 15",
        "00-238 Warszawa",
        "Poland",
    ]
