"""Reports for the accountant (issue 26, item 4): sales by day / month with net, VAT per
rate and gross, credit notes subtracted, by payment method; CSV, XLSX; DATEV bookings."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from orders import accounting, datev, services
from orders.errors import OrderError
from tests.factories import ProductFactory, RoleUserFactory

pytestmark = pytest.mark.django_db

REPORT = reverse("admin:orders_salesreport_changelist")
BOOKINGS = reverse("admin:orders_salesreport_bookings")


@pytest.fixture
def documents(make_order, product, invoice_payment):
    """Three invoices today (19 % and 7 %, card and pay on invoice) and one credit note."""
    book = ProductFactory(price=D("10.70"), tax_rate=D("7.00"))
    a = make_order({product.pk: 1})  # 20.00 + 4.90 shipping, 19 %
    # 21.40 @7 % + 4.90 shipping, at the goods' 7 % (checkout.shipping_tax_rate)
    b = make_order({book.pk: 2}, payment_method_id=invoice_payment.pk)
    c = make_order({product.pk: 2})  # 40.00 @19 %, free shipping? no: 40 < 50 → + 4.90
    for order in (a, b, c):
        services.create_invoice(order)
    services.refund_order(c, reason="Returned")
    return a, b, c


def test_sales_report_subtracts_credit_notes_and_splits_vat_per_rate(documents):
    a, b, c = documents
    today = timezone.localdate()
    report = accounting.sales_report(today, today)
    total = report.total
    assert (total.invoices, total.credit_notes) == (3, 1)
    # What is left: a (24.90 @19 %) and b (21.40 @7 % + 4.90 shipping @7 %).
    assert total.gross == a.grand_total + b.grand_total == D("51.20")
    assert report.rates == [D("7.00"), D("19.00")]
    by_rate = {rate: (net, tax, gross) for category, rate, net, tax, gross in report.by_category}
    assert [category for category, *_amounts in report.by_category] == ["S", "S"]
    assert by_rate[D("7.00")] == (D("24.58"), D("1.72"), D("26.30"))
    assert by_rate[D("19.00")][2] == D("24.90")
    assert total.net + total.tax == total.gross
    payments = dict(report.by_payment)
    assert payments["Credit card"].gross == a.grand_total  # c was credited in full
    assert payments["Credit card"].credit_notes == 1
    assert payments["Pay on invoice"].gross == b.grand_total


def test_report_per_month_has_one_row_per_month(documents):
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=40)).replace(day=1)
    report = accounting.sales_report(first, today, "month")
    assert [label for label, _t in report.periods][-1] == today.strftime("%Y-%m")
    assert len(report.periods) in (2, 3)
    assert report.periods[-1][1].gross == D("51.20")
    assert all(t.gross == 0 for _label, t in report.periods[:-1])


def test_report_page_csv_and_xlsx(client, documents):
    client.force_login(RoleUserFactory(role="Payments"))
    today = timezone.localdate().isoformat()
    query = {"first": today, "last": today, "group": "day"}
    page = client.get(REPORT, query).content.decode()
    assert "Sales per day" in page and "By payment method" in page and "51.20" in page
    assert 'role="img"' in page
    response = client.get(REPORT, {**query, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["period", "invoices", "credit notes", "net"]
    total = next(r for r in rows if r and r[0] == "total")
    gross = rows[0].index("gross")
    assert total[1:3] == ["3", "1"] and total[gross] == "51.20"
    response = client.get(REPORT, {**query, "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Sales", "VAT categories", "Payment methods"]
    sheet = workbook["Sales"]
    last = [cell.value for cell in sheet[sheet.max_row]]
    assert last[0] == "total" and D(str(last[gross])) == D("51.20")


def test_report_form_refuses_a_reversed_period(client, documents):
    client.force_login(RoleUserFactory(role="Payments"))
    page = client.get(REPORT, {"first": "2026-03-10", "last": "2026-03-01", "group": "day"})
    assert "The start date is after the end date." in page.content.decode()


@pytest.mark.parametrize(
    "role, allowed", [("Payments", True), ("Order clerk", False), ("Marketing", False)]
)
def test_reports_are_for_payments_and_the_manager(client, role, allowed):
    client.force_login(RoleUserFactory(role=role))
    assert client.get(REPORT).status_code == (200 if allowed else 403)


def _month():
    return timezone.localdate().strftime("%Y-%m")


def test_datev_file_has_the_extf_header_columns_and_one_booking_per_rate(documents, settings):
    settings.DATEV_CONSULTANT_NUMBER = 29098
    settings.DATEV_CLIENT_NUMBER = 55003
    settings.DATEV_REVENUE_ACCOUNTS = "19=8400,7=8300"
    a, b, c = documents
    filename, content, count = datev.export(_month())
    assert filename == f"EXTF_Buchungsstapel_{_month()}.csv"
    text = content.decode("cp1252")
    lines = text.split("\r\n")
    header = lines[0].split(";")
    assert header[:5] == ['"EXTF"', "700", "21", '"Buchungsstapel"', "13"]
    assert len(header) == 31
    assert header[10:12] == ["29098", "55003"]
    first, last = accounting.month_bounds(_month())
    assert header[14:16] == [first.strftime("%Y%m%d"), last.strftime("%Y%m%d")]
    columns = lines[1].split(";")
    assert len(columns) == 125 and columns[0] == "Umsatz (ohne Soll/Haben-Kz)"
    records = [line.split(";") for line in lines[2:] if line]
    assert len(records) == count == 4  # a: 19 %; b: 7 % with its shipping; c: invoice + credit
    assert all(len(r) == 125 for r in records)
    by_document = {}
    for r in records:
        by_document.setdefault(r[10].strip('"'), []).append((r[0], r[1], r[6], r[7]))
    invoice_a = a.invoices.get().number
    assert by_document[invoice_a] == [("24,90", '"S"', "10000", "8400")]
    invoice_b = b.invoices.get().number
    assert by_document[invoice_b] == [("26,30", '"S"', "10000", "8300")]
    credit = c.invoices.get().credit_notes.get().number
    assert by_document[credit] == [("44,90", '"H"', "10000", "8400")]
    assert records[0][9] == timezone.localdate().strftime("%d%m")


def test_datev_export_refuses_a_rate_without_account(documents, settings):
    settings.DATEV_REVENUE_ACCOUNTS = "19=8400"
    with pytest.raises(OrderError, match="VAT rate 7 %"):
        datev.export(_month())


def test_export_bookings_command_writes_the_file_and_rejects_bad_input(documents, tmp_path):
    out = tmp_path / "bookings.csv"
    err = StringIO()
    call_command("export_bookings", "--month", _month(), "-o", str(out), stderr=err)
    assert out.read_bytes().startswith(b'"EXTF";700;21;"Buchungsstapel";13;')
    assert "4 bookings written" in err.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("export_bookings", "--month", "March")


def test_backoffice_download_of_the_datev_file(client, documents):
    client.force_login(RoleUserFactory(role="Payments"))
    response = client.get(BOOKINGS, {"month": _month()})
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="EXTF_Buchungsstapel_{_month()}.csv"'
    )
    assert response.content.startswith(b'"EXTF";700;')
    # The access log knows whose orders the file books (a person's access report finds it).
    from privacy.models import AccessLogEntry

    entry = AccessLogEntry.objects.filter(path__startswith=BOOKINGS).latest("pk")
    a, b, c = documents
    assert {f"order:{order.pk}" for order in (a, b, c)} <= set(entry.subjects)
    response = client.get(BOOKINGS, {"month": "nonsense"}, follow=True)
    assert "YYYY-MM" in response.content.decode()


def test_month_bounds():
    assert accounting.month_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    for bad in ("2024-13", "24-1-1", "", "1999-01"):
        with pytest.raises(ValueError):
            accounting.month_bounds(bad)


def test_payment_method_name_kept_from_the_invoice(documents):
    from shop.models import PaymentMethod

    PaymentMethod.objects.filter(kind="card").update(name="Renamed")
    today = timezone.localdate()
    assert "Credit card" in dict(accounting.sales_report(today, today).by_payment)


def test_one_row_per_payment_method_whatever_the_orders_languages(make_order, product):
    """An invoice carries its payment method's name in its order's language: the report
    grouped by that name and split one method into "Credit card", "Kreditkarte" and
    "Kreditkort" rows. It groups by the method and says its name in the reader's language."""
    from django.utils import translation

    from orders.models import Invoice, Order

    orders = [make_order({product.pk: 1}) for _ in range(3)]
    for order, language, name in zip(
        orders, ("en", "de", "da"), ("Credit card", "Kreditkarte", "Kreditkort"), strict=True
    ):
        Order.objects.filter(pk=order.pk).update(language=language)
        invoice = services.create_invoice(order)
        Invoice.objects.filter(pk=invoice.pk).update(payment_method_name=name)
    services.refund_order(orders[2], reason="Returned")
    today = timezone.localdate()
    for language, label in (("de", "Kreditkarte"), ("da", "Kreditkort"), ("en", "Credit card")):
        with translation.override(language):
            report = accounting.sales_report(today, today)
        assert [name for name, _totals in report.by_payment] == [label]
        totals = report.by_payment[0][1]
        assert (totals.invoices, totals.credit_notes) == (3, 1)
        assert totals.gross == orders[0].grand_total + orders[1].grand_total
    with translation.override("pl"):  # no order in Polish: the name most documents carry
        assert len(accounting.sales_report(today, today).by_payment) == 1


def test_report_csv_writes_amounts_as_numbers_a_spreadsheet_can_sum(documents):
    """The formula guard prefixed every cell starting with "-" — a refund's "-24.90" too,
    which a spreadsheet then held as text. Computed numbers are written as they are; text
    that starts with "-" is still neutralised."""
    from shop.exports import csv_text

    credit_only = accounting.Totals()
    for doc in accounting.documents(timezone.localdate(), timezone.localdate()):
        if doc.is_credit_note:
            credit_only.add(doc)
    assert credit_only.gross < 0
    text = csv_text(["what", "gross"], [["refunds", credit_only.gross], ["-1+2", "-5"]])
    assert f"refunds,{credit_only.gross}" in text and "'-" + str(-credit_only.gross) not in text
    assert "'-1+2,'-5" in text


def test_datev_books_gift_cards_and_tax_free_eu_sales_on_their_own_accounts(
    make_order, product, settings
):
    """A gift card sold is a liability until redeemed, not 0 % revenue; an intra-community
    supply needs its own account and the buyer's VAT ID for the EC sales list. All three
    were booked to the 0 % revenue account (8200)."""
    from tests.orders.test_einvoice import PL_VAT_ID, WARSAW

    settings.DATEV_REVENUE_ACCOUNTS = "19=8400,7=8300,0=8200"
    card = ProductFactory(name="Gift card", price=D("50.00"), is_giftcard=True, tax_rate=0)
    gift = make_order({product.pk: 1, card.pk: 1})  # 20.00 + 4.90 shipping @19 %, 50.00 card
    business = make_order({product.pk: 1}, billing=dict(WARSAW), vat_id=PL_VAT_ID)
    assert business.reverse_charge
    for order in (gift, business):
        services.create_invoice(order)
    _filename, content, _count = datev.export(_month())
    records = [line.split(";") for line in content.decode("cp1252").split("\r\n")[2:] if line]
    by_document = {}
    for r in records:
        by_document.setdefault(r[10].strip('"'), []).append((r[0], r[7], r[datev.EU_VAT_ID]))
    assert sorted(by_document[gift.invoices.get().number]) == sorted(
        [("24,90", "8400", ""), ("50,00", "1604", "")]  # the card: "Verbindlichkeiten"
    )
    rows = by_document[business.invoices.get().number]
    assert {account for _amount, account, _vat in rows} == {"8125"}
    assert all(vat == f'"{PL_VAT_ID}"' for _amount, _account, vat in rows)
    total = sum(D(amount.replace(",", ".")) for amount, _a, _v in rows)
    assert total == business.grand_total


def test_datev_category_accounts_setting_is_checked(documents, settings):
    settings.DATEV_CATEGORY_ACCOUNTS = "X=1"
    with pytest.raises(OrderError, match="DATEV_CATEGORY_ACCOUNTS must look like"):
        datev.export(_month())


def test_the_report_writes_vat_rates_as_the_readers_language_does(client, documents):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory(is_superuser=True, language="pl"))
    page = client.get(REPORT).content.decode()
    assert "VAT 19%" in page and "VAT 19 %" not in page
    client.force_login(StaffFactory(is_superuser=True, language="de"))
    page = client.get(REPORT).content.decode()
    assert "MwSt. 19\xa0%" in page


def test_the_report_page_writes_its_periods_as_the_reader_writes_dates(client, documents):
    """The table said "2026-12-01" under a chart that said "1 gru"; the CSV keeps ISO."""
    from django.utils import formats, translation

    from tests.factories import StaffFactory

    today = timezone.localdate()
    client.force_login(StaffFactory(is_superuser=True, language="pl"))
    page = client.get(REPORT).content.decode()
    with translation.override("pl"):
        shown = formats.date_format(today, "SHORT_DATE_FORMAT")
    assert f'<th scope="row">{shown}</th>' in page
    assert f'<th scope="row">{today.isoformat()}</th>' not in page
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    REPORT, {"format": "csv", "first": today, "last": today, "group": "day"}
                ).content.decode("utf-8-sig")
            ),
            delimiter=";",  # Polish Excel's list separator
        )
    )
    assert any(row and row[0] == today.isoformat() for row in rows)


@pytest.mark.parametrize("seed", range(4))
def test_the_vat_datev_computes_from_each_booking_is_the_documents_vat(make_order, seed):
    """DATEV books the gross on automatic revenue accounts and computes the VAT itself:
    round(gross × rate / (100 + rate)). Every invoice and credit note row carries exactly
    that VAT, so the VAT return from DATEV and the documents agree to the cent (the item
    nets' sum was a cent off in one row of three: 24.40 at 19 % booked 3.89, DATEV 3.90)."""
    import random

    from tests.orders.test_credit_note_vat_rows import percent_code

    rnd = random.Random(seed)
    for _ in range(6):
        products = [
            ProductFactory(
                price=D(rnd.randint(99, 4999)) / 100,
                tax_rate=D(rnd.choice(["19.00", "7.00"])),
                stock=None,
            )
            for _i in range(rnd.randint(1, 3))
        ]
        order = make_order(
            {p.pk: rnd.randint(1, 3) for p in products},
            voucher_code=percent_code(rnd.choice(["5", "10", "33"])) if rnd.random() < 0.5 else "",
        )
        services.create_invoice(order)
        line = order.lines.first()
        if line.quantity > 1:
            services.create_credit_note(order, {line.pk: 1})
    today = timezone.localdate()
    docs = accounting.documents(today, today)
    assert len(docs) >= 6
    for doc in docs:
        for row in doc.rows:
            gross, rate = abs(row["gross"]), row["rate"]
            datev_vat = (gross * rate / (100 + rate)).quantize(D("0.01"), rounding="ROUND_HALF_UP")
            assert abs(row["tax"]) == datev_vat, (doc.number, row)


def test_two_payment_methods_of_one_name_each_have_their_row(make_order, product, admin_client):
    """The name is not unique: the report sorted on (name, totals) and compared the totals,
    and the whole Sales reports page was a 500 (an audit)."""
    from tests.factories import PaymentMethodFactory

    first = PaymentMethodFactory(code="transfer1", name="Bank transfer", kind="prepayment")
    second = PaymentMethodFactory(code="transfer2", name="Bank transfer", kind="invoice")
    services.create_invoice(make_order({product.pk: 1}, payment_method_id=first.pk))
    services.create_invoice(make_order({product.pk: 2}, payment_method_id=second.pk))
    today = timezone.localdate()
    report = accounting.sales_report(today, today)
    assert [label for label, _totals in report.by_payment].count("Bank transfer") == 2
    assert admin_client.get(reverse("admin:orders_salesreport_changelist")).status_code == 200


@pytest.mark.parametrize("value", ["13-01", "02-30", "02-29"])
def test_a_fiscal_year_start_that_is_no_day_is_the_settings_message(settings, value):
    settings.DATEV_FISCAL_YEAR_START = value
    with pytest.raises(OrderError, match="DATEV_FISCAL_YEAR_START must look like"):
        datev.export(timezone.localdate().strftime("%Y-%m"))


@pytest.mark.parametrize("name", ["orders_order", "orders_invoice"])
@pytest.mark.parametrize(
    "query", ["created__year=9999", "created__year=9999&created__month=12", "created__year=99999"]
)
def test_a_date_drilldown_past_the_calendar_is_no_500(admin_client, name, query):
    admin_client.raise_request_exception = False
    response = admin_client.get(reverse(f"admin:{name}_changelist") + "?" + query)
    assert response.status_code == 302 and response["Location"].endswith("?e=1")
