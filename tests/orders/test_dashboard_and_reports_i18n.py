"""The start page's figures and the sales report in the reader's language: one top-products
row per product (not per order language), payment methods named in the reader's language,
dates, amounts and month names as the reader's language writes them."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from orders import accounting, services
from orders import dashboard as figures
from orders.admin_reports import SalesReportAdmin, _short_label
from orders.models import Order, OrderLine
from shop.models import PaymentMethod
from shop.money import format_money
from tests.factories import ProductFactory, StaffFactory

pytestmark = pytest.mark.django_db

REPORT = reverse("admin:orders_salesreport_changelist")


# --- top products -----------------------------------------------------------------------


@pytest.fixture
def towels(make_order):
    """A product sold twice (20.00 each), once in an English and once in a Polish order, and a
    product sold once for 30.00: per product the towels lead, per line name they came last."""
    towels = ProductFactory(name="Linen tea towels", price=D("20.00"), tax_rate=D("19.00"))
    type(towels).objects.filter(pk=towels.pk).update(
        name_pl="Lniane ściereczki", name_de="Leinen-Geschirrtücher"
    )
    lamp = ProductFactory(name="Desk lamp", price=D("30.00"), tax_rate=D("19.00"))
    make_order({towels.pk: 1})
    polish = make_order({towels.pk: 1})
    Order.objects.filter(pk=polish.pk).update(language="pl")
    OrderLine.objects.filter(order=polish).update(name="Lniane ściereczki")
    make_order({lamp.pk: 1})
    return towels, lamp


def test_top_products_has_one_row_per_product_whatever_the_orders_languages(
    towels, django_assert_num_queries
):
    towel, lamp = towels
    with django_assert_num_queries(1):
        rows = figures.top_products()["rows"]
    assert [row["label"] for row in rows] == ["Linen tea towels", "Desk lamp"]
    assert [row["value"] for row in rows] == [D("40.00"), D("30.00")]
    assert rows[0]["url"].endswith(f"product={towel.pk}")


@pytest.mark.parametrize(
    "language, label",
    [
        ("pl", "Lniane ściereczki"),
        ("de", "Leinen-Geschirrtücher"),
        ("da", "Linen tea towels"),  # no Danish name: the default language's, like product.name
        ("en", "Linen tea towels"),
    ],
)
def test_top_products_are_named_in_the_readers_language(towels, language, label):
    with translation.override(language):
        data = figures.top_products()
    assert data["rows"][0]["label"] == label
    assert data["chart"]["items"][0]["label"] == label
    assert len(data["rows"]) == 2


def test_top_products_query_count_does_not_grow_with_languages_and_products(
    make_order, django_assert_num_queries
):
    for language in ("en", "de", "pl", "da"):
        product = ProductFactory(price=D("10.00"))
        order = make_order({product.pk: 2})
        Order.objects.filter(pk=order.pk).update(language=language)
    with translation.override("pl"), django_assert_num_queries(1):
        assert len(figures.top_products()["rows"]) == 4


def test_start_page_notes_and_descriptions_use_the_plural_of_their_number(
    towels, invoice_payment, make_order
):
    """ "1 orders", "The 1 products": the English singular needs no catalogue."""
    order = make_order(payment_method_id=invoice_payment.pk)
    services.create_invoice(order)
    notes = [row["note"] for row in figures.receivables()["rows"]]
    assert notes == ["1 order", "0 orders", "0 orders"]
    only = figures.top_products(limit=1)["chart"]["description"]
    assert only == "The 1 product with the highest revenue in the last 30 days."


def test_start_page_amounts_are_money_in_the_readers_language(make_order, invoice_payment):
    order = make_order(payment_method_id=invoice_payment.pk)
    services.create_invoice(order)
    with translation.override("pl"):
        sales = figures.sales()
        receivables = figures.receivables()
        total = format_money(order.grand_total)
    assert total in sales["revenue_chart"]["description"]  # "24,90 €", not "24.90"
    assert total in receivables["chart"]["description"]


@pytest.mark.parametrize(
    "language, day, month",
    [
        ("en", "3 Nov", "Nov 2026"),
        ("de", "3. Nov.", "Nov. 2026"),
        ("pl", "3 lis", "lis 2026"),  # not Django's "3 Lis", "Lis 2026"
        ("da", "3. nov.", "nov. 2026"),
    ],
)
def test_chart_days_and_months_as_the_readers_language_writes_them(language, day, month):
    with translation.override(language):
        assert figures.day_label(date(2026, 11, 3)) == day
        assert figures.month_label(date(2026, 11, 1)) == month
        assert _short_label("2026-11-03", "day") == day
        assert _short_label("2026-11", "month") == month


def test_sales_chart_of_the_start_page_labels_days_in_lower_case_in_polish(make_order):
    make_order()
    with translation.override("pl"):
        labels = [row["label"] for row in figures.sales()["orders_chart"]["table"]["rows"]]
    assert all(re.fullmatch(r"\d{1,2} [a-zź]{3}", label) for label in labels), labels


# --- sales report -------------------------------------------------------------------------


@pytest.fixture
def invoiced(make_order, product):
    """Two English orders paid by card, invoiced today; the card method has a Polish name."""
    orders = [make_order({product.pk: 1}) for _ in range(2)]
    for order in orders:
        services.create_invoice(order)
    PaymentMethod.objects.filter(code="card").update(name_pl="Karta płatnicza")
    return orders


def test_report_names_the_payment_method_in_the_readers_language_without_orders_in_it(
    invoiced,
):
    today = timezone.localdate()
    with translation.override("pl"):
        report = accounting.sales_report(today, today)
    assert [name for name, _totals in report.by_payment] == ["Karta płatnicza"]
    with translation.override("da"):  # no Danish name: the default language's
        report = accounting.sales_report(today, today)
    assert [name for name, _totals in report.by_payment] == ["Credit card"]


def test_report_keeps_the_stored_name_of_a_method_that_no_longer_exists():
    day = date(2026, 11, 3)
    docs = [
        accounting.Document(
            kind="invoice",
            number=f"R{i}",
            day=day,
            order_number=str(i),
            invoice_number=f"R{i}",
            payment_kind="card",
            payment_name=name,
            currency="EUR",
            rows=[],
            payment_method_id=999_999,  # no such method (any more)
            language=language,
        )
        for i, (name, language) in enumerate(
            [("Kreditkarte", "de"), ("Kreditkarte", "de"), ("Credit card", "en")]
        )
    ]
    with translation.override("pl"):
        assert accounting._payment_names(docs) == {999_999: "Kreditkarte"}


def test_report_query_count_does_not_grow_with_payment_methods(
    invoiced, make_order, invoice_payment, django_assert_num_queries
):
    today = timezone.localdate()
    with django_assert_num_queries(3):  # invoices, credit notes, the methods' names
        accounting.sales_report(today, today)
    services.create_invoice(make_order(payment_method_id=invoice_payment.pk))
    with translation.override("pl"), django_assert_num_queries(3):
        assert len(accounting.sales_report(today, today).by_payment) == 2


def test_report_chart_description_has_the_readers_dates_and_money(client, invoiced):
    client.force_login(StaffFactory(is_superuser=True, language="pl"))
    response = client.get(REPORT, {"first": "2026-11-01", "last": "2026-12-02", "group": "day"})
    assert response.status_code == 200
    description = response.context["chart"]["description"]
    assert "2026-11-01" not in description and "2026-12-02" not in description
    assert "01.11.2026" in description and "02.12.2026" in description
    today = timezone.localdate()
    with translation.override("pl"):
        report = accounting.sales_report(today, today)
        chart = SalesReportAdmin._chart(report)
        net = format_money(report.total.net)
        tax = format_money(report.total.tax)
        first = formats.date_format(today, "SHORT_DATE_FORMAT")
    assert net in chart["description"] and tax in chart["description"]  # "40,34 €"
    assert first in chart["description"]
    assert str(report.total.net) not in chart["description"]  # not the raw "40.34"
