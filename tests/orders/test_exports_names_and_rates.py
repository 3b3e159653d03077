"""The backoffice's files and history as the operator reads them.

- The sales report's VAT rates are numbers in the reader's format ("5,5" in de/pl/da): a
  German, Polish or Danish Excel read the "5.5" of the CSV as the 5th of May.
- The order list's CSV names the country and the language in the reader's language
  ("Niemcy", "niemiecki"), not as codes.
- The sales report, the campaign's codes, the assignment's customers and the issued gift
  cards are downloaded under names in the reader's language, like the bulk files
  ("umsatzbericht-…csv", "kody-…csv", "kunder-…csv", "karty-podarunkowe-…csv").
- The history names the payment method without nesting brackets: "Payment of €24.90
  received via Vorkasse (Überweisung)." — entries stored with the former sentence too.
"""

import csv
import io
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from orders import accounting, services
from orders.models import Order
from orders.services import bulk
from shop import events
from shop.exports import BOM
from shop.filenames import download_filename
from shop.money import format_money
from tests.factories import PaymentMethodFactory, ProductFactory, StaffFactory
from tests.formtokens import fresh
from tests.vouchers.factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db

REPORT = reverse("admin:orders_salesreport_changelist")


def parse(content, delimiter):
    text = content.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


def staff_client(client, language):
    client.force_login(StaffFactory(is_superuser=True, language=language))
    return client


# --- 1. VAT rates in the reader's number format ----------------------------------------------


@pytest.fixture
def reduced_rate_invoice(make_order):
    """An invoice of a book at 5.5 % (France's reduced rate) and a pot at 19 %."""
    book = ProductFactory(name="Livre", price=D("21.10"), tax_rate=D("5.50"))
    pot = ProductFactory(name="Pot", price=D("10.00"), tax_rate=D("19.00"))
    order = make_order({book.pk: 1, pot.pk: 1})
    services.create_invoice(order)
    return order


@pytest.mark.parametrize(
    ("language", "delimiter", "reduced", "standard"),
    [("de", ";", "5,5", "19"), ("pl", ";", "5,5", "19"), ("en", ",", "5.5", "19")],
)
def test_the_report_csv_writes_vat_rates_like_its_amounts(
    client, reduced_rate_invoice, language, delimiter, reduced, standard
):
    today = timezone.localdate().isoformat()
    response = staff_client(client, language).get(
        REPORT, {"first": today, "last": today, "group": "day", "format": "csv"}
    )
    rows = parse(response.content, delimiter)
    with translation.override(language):
        taxable = str(accounting.category_label("S"))
    by_rate = [row for row in rows if row and row[0] == taxable]
    # rates descending; never "5.5", which a German Excel reads as the 5th of May
    assert [row[1] for row in by_rate] == [standard, reduced]
    assert all(("," in amount) == (delimiter == ";") for amount in by_rate[1][2:]), by_rate


def test_the_report_xlsx_holds_vat_rates_as_numbers(client, reduced_rate_invoice):
    today = timezone.localdate().isoformat()
    response = staff_client(client, "de").get(
        REPORT, {"first": today, "last": today, "group": "day", "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[1]
    rates = {sheet.cell(row, 2).value: sheet.cell(row, 2).number_format for row in (2, 3)}
    assert all(isinstance(rate, int | float) for rate in rates), rates  # not text "5.5"
    assert {D(str(rate)) for rate in rates} == {D("5.5"), D("19")}
    assert set(rates.values()) == {"General"}  # "5,5" and "19" in a German Excel, not "5,50"


def test_the_report_page_still_writes_the_rate_as_a_percentage(client, reduced_rate_invoice):
    page = staff_client(client, "de").get(REPORT).content.decode()
    assert "5,5\xa0%" in page and "19\xa0%" in page


# --- 2. the order export names countries and languages ---------------------------------------


@pytest.mark.parametrize(
    ("language", "country", "language_name"),
    [("pl", "Niemcy", "niemiecki"), ("de", "Deutschland", "Deutsch"), ("en", "Germany", "German")],
)
def test_the_order_export_names_country_and_language_in_the_readers_language(
    make_order, language, country, language_name
):
    order = make_order()  # billed to Berlin, DE
    Order.objects.filter(pk=order.pk).update(language="de")
    with translation.override(language):
        result = bulk.export_csv([order.pk])
        header = [str(h) for h in bulk.csv_header()]
    filename, content = result.file
    rows = parse(content, "," if language == "en" else ";")
    record = dict(zip(header, rows[1], strict=True))
    with translation.override(language):
        assert record[str(translation.gettext("country"))] == country
        assert record[str(translation.gettext("language"))] == language_name
    assert "DE" not in rows[1] and "de" not in rows[1]


# --- 3. download names in the reader's language ----------------------------------------------


STAMP = r"\d{8}"


def test_download_filename_writes_the_words_in_ascii():
    assert download_filename("karty podarunkowe", "20261203-161942", extension="csv") == (
        "karty-podarunkowe-20261203-161942.csv"
    )
    assert download_filename("Umsatzbericht", "20261201-20261231", "Tag", extension="xlsx") == (
        "umsatzbericht-20261201-20261231-tag.xlsx"
    )
    assert download_filename("Måned", "Łódź żółć", extension="csv") == "maaned-lodz-zolc.csv"
    assert download_filename("???", extension="csv") == "download.csv"


@pytest.mark.parametrize(
    ("language", "file_format", "group", "stem"),
    [
        ("de", "csv", "day", "umsatzbericht-{span}-tag"),
        ("pl", "xlsx", "month", "raport-sprzedazy-{span}-miesiac"),
        ("da", "csv", "month", "salgsrapport-{span}-maaned"),
        ("en", "csv", "day", "sales-report-{span}-day"),
    ],
)
def test_the_sales_report_is_named_in_the_readers_language(
    client, reduced_rate_invoice, language, file_format, group, stem
):
    today = timezone.localdate()
    response = staff_client(client, language).get(
        REPORT,
        {"first": today, "last": today, "group": group, "format": file_format},
    )
    span = f"{today:%Y%m%d}-{today:%Y%m%d}"
    name = stem.format(span=span)
    assert response["Content-Disposition"] == f'attachment; filename="{name}.{file_format}"'


@pytest.mark.parametrize(
    ("language", "filename"),
    [("pl", "kody-lodz-zolc.csv"), ("da", "koder-lodz-zolc.csv"), ("en", "codes-lodz-zolc.csv")],
)
def test_the_campaigns_codes_are_named_in_the_readers_language(client, language, filename):
    campaign = CampaignFactory(name="Łódź żółć")
    CodeFactory(campaign=campaign)
    response = staff_client(client, language).get(
        reverse("admin:vouchers_campaign_download", args=[campaign.pk])
    )
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


@pytest.mark.parametrize(("language", "stem"), [("da", "kunder"), ("de", "kunden")])
def test_the_assignments_customer_list_is_named_in_the_readers_language(
    client, make_order, customer, language, stem
):
    make_order(customer=customer)
    campaign = CampaignFactory(kind="assigned")
    response = staff_client(client, language).post(
        reverse("admin:vouchers_campaign_assign"),
        {"campaign": campaign.pk, "min_orders": "1", "save_csv": "1"},
    )
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert re.fullmatch(rf'attachment; filename="{stem}-{STAMP}\.csv"', disposition), disposition


@pytest.mark.parametrize(
    ("language", "stem"),
    [("pl", "karty-podarunkowe"), ("de", "geschenkgutscheine"), ("en", "gift-cards")],
)
def test_issued_gift_cards_are_named_in_the_readers_language(client, language, stem):
    staff_client(client, language)
    response = client.post(
        reverse("admin:giftcards_giftcard_issue"),
        fresh({"amount": "10", "count": "2", "reason": "Fair"}),
    )
    assert response.status_code == 302
    download = client.get(response["Location"] + "csv/")
    disposition = download["Content-Disposition"]
    assert re.fullmatch(rf'attachment; filename="{stem}-{STAMP}-\d{{6}}\.csv"', disposition), (
        disposition
    )


# --- 4. the payment method in the history ------------------------------------------------------


@pytest.fixture
def bank_transfer(db):
    return PaymentMethodFactory(code="prepayment", name="Vorkasse (Überweisung)", kind="prepayment")


def test_a_bracketed_method_name_is_not_put_in_brackets_again(make_order, bank_transfer):
    order = make_order(payment_method_id=bank_transfer.pk)
    services.mark_paid(order)
    texts = [c.display_text for c in Order.objects.get(pk=order.pk).comments.all()]
    sentence = f"Payment of €{order.grand_total} received via Vorkasse (Überweisung)."
    assert sentence in texts
    assert not any("))" in text for text in texts)


def test_an_entry_stored_with_the_former_sentence_reads_like_a_new_one(make_order, bank_transfer):
    order = make_order(payment_method_id=bank_transfer.pk)
    former = [
        events.part(
            "Payment of %(amount)s received (%(method)s).",
            amount=events.money(D("24.90"), "EUR"),
            method=events.method(bank_transfer),
        )
    ]
    comment = order.comments.create(
        text="Zahlung über 24,90 € erhalten (Vorkasse (Überweisung)).",
        is_event=True,
        message=former,
    )
    assert comment.display_text == "Payment of €24.90 received via Vorkasse (Überweisung)."
    with translation.override("de"):
        new = translation.gettext("Payment of %(amount)s received via %(method)s.")
        amount = format_money(D("24.90"), "EUR")
        assert comment.display_text == new % {"amount": amount, "method": "Vorkasse (Überweisung)"}
