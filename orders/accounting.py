"""The orders as the accountant sees them: invoices and credit notes, per EN 16931 VAT
category and rate.

Revenue is what the shop invoiced, minus what it credited: every number here comes from
the issued documents (the figures their e-invoices carry, ``orders.vat.document_figures``),
never from the orders, which may have been changed or anonymised since. The sales report
(backoffice page, CSV, XLSX) and the DATEV booking export (``orders.datev``) both read
:func:`documents`, so the report's revenue is what DATEV books on revenue accounts. Gift
cards sold (category E, multi-purpose vouchers) are not revenue but a liability until they
are redeemed — then the goods bought with them are the revenue: the report shows them beside
the revenue, as DATEV books them on their own account.

A credit note's amounts are its own (a partial credit note credits exactly its part), read
like an invoice's through its e-invoice snapshot (``einvoice.credit_note_snapshot``).
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shop.models import PaymentMethod
from shop.money import ZERO, format_percent

from .einvoice import credit_note_snapshot, invoice_snapshot
from .models import CreditNote, Invoice
from .vat import EXEMPT, category_label, document_figures


@dataclass
class Document:
    kind: str  # "invoice" or "credit_note"
    number: str
    day: date  # local date of the document
    order_number: str
    invoice_number: str
    payment_kind: str
    payment_name: str
    currency: str
    rows: list  # [{"rate", "category", "net", "tax", "gross"}], negative for credit notes
    # The order's payment method: the report groups by it, not by the name the document
    # carries in the order's language ("Kreditkarte", "Kreditkort", "Credit card").
    payment_method_id: int | None = None
    language: str = ""  # the order's, in which the document carries its names

    @property
    def is_credit_note(self):
        return self.kind == "credit_note"

    @property
    def gross(self):
        return sum((r["gross"] for r in self.rows), ZERO)


def figure_rows(snapshot, sign=1):
    """A document's amounts per EN 16931 category and rate, as its e-invoice states them
    (``sign`` -1: a credit note's, negative)."""
    return [
        {
            "rate": row.rate,
            "category": row.category,
            "net": sign * row.basis,
            "tax": sign * row.tax,
            "gross": sign * row.gross,
        }
        for row in document_figures(snapshot).vat_rows
    ]


def _bounds(first, last):
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(first, time.min, tzinfo=tz),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz),
    )


def documents(first, last):
    """Invoices and credit notes dated ``first`` … ``last`` (local days, inclusive), by date
    and number, with their amounts per category and rate (:func:`figure_rows`). Two queries,
    whatever the period."""
    start, end = _bounds(first, last)
    found = []
    invoices = Invoice.objects.filter(created__gte=start, created__lt=end)
    for invoice in invoices.annotate(
        method_id=F("order__payment_method_id"), order_language=F("order__language")
    ).defer("seller", "comment"):
        found.append(
            Document(
                kind="invoice",
                number=invoice.number,
                day=timezone.localdate(invoice.created),
                order_number=invoice.order_number,
                invoice_number=invoice.number,
                payment_kind=invoice.payment_method_kind,
                payment_name=invoice.payment_method_name,
                currency=invoice.currency,
                rows=figure_rows(invoice_snapshot(invoice)),
                payment_method_id=invoice.method_id,
                language=invoice.order_language,
            )
        )
    for credit_note in (
        CreditNote.objects.filter(created__gte=start, created__lt=end)
        .select_related("invoice")
        .annotate(
            method_id=F("invoice__order__payment_method_id"),
            order_language=F("invoice__order__language"),
        )
    ):
        invoice = credit_note.invoice
        found.append(
            Document(
                kind="credit_note",
                number=credit_note.number,
                day=timezone.localdate(credit_note.created),
                order_number=invoice.order_number,
                invoice_number=invoice.number,
                payment_kind=invoice.payment_method_kind,
                payment_name=invoice.payment_method_name,
                currency=invoice.currency,
                rows=figure_rows(credit_note_snapshot(credit_note), sign=-1),
                payment_method_id=credit_note.method_id,
                language=credit_note.order_language,
            )
        )
    found.sort(key=lambda d: (d.day, d.kind != "invoice", d.number))
    return found


# --- the sales report ----------------------------------------------------------------------


@dataclass
class Totals:
    """Revenue (net, VAT, gross) of some documents, and apart from it the gift cards sold."""

    invoices: int = 0
    credit_notes: int = 0
    net: Decimal = ZERO
    tax: Decimal = ZERO
    gross: Decimal = ZERO
    giftcards: Decimal = ZERO  # gift cards sold (category E): a liability, not revenue

    def __post_init__(self):
        self.tax_by_rate = defaultdict(lambda: ZERO)
        self.net_by_rate = defaultdict(lambda: ZERO)

    def add(self, document):
        if document.is_credit_note:
            self.credit_notes += 1
        else:
            self.invoices += 1
        for row in document.rows:
            if row.get("category") == EXEMPT:
                self.giftcards += row["gross"]
                continue
            self.net += row["net"]
            self.tax += row["tax"]
            self.gross += row["gross"]
            self.tax_by_rate[row["rate"]] += row["tax"]
            self.net_by_rate[row["rate"]] += row["net"]


@dataclass
class SalesReport:
    first: date
    last: date
    group: str  # "day" or "month"
    periods: list  # [(label, Totals)]
    rates: list  # VAT rates of the revenue that occur, ascending
    by_category: list  # revenue [(category, rate, net, tax, gross)], S Z K AE, rates descending
    giftcards: list  # gift cards sold [(rate, net, tax, gross)]: the liability, not revenue
    by_payment: list  # [(payment method name, Totals)]
    total: Totals

    def header(self):
        return [
            pgettext("sales report column", "period"),
            _("invoices"),
            _("credit notes"),
            _("net"),
            *[_("VAT %(rate)s") % {"rate": format_percent(r)} for r in self.rates],
            _("VAT"),
            _("gross"),
            _("gift cards sold"),
        ]

    def period_rows(self):
        rows = [
            [
                label,
                t.invoices,
                t.credit_notes,
                t.net,
                *[t.tax_by_rate[r] for r in self.rates],
                t.tax,
                t.gross,
                t.giftcards,
            ]
            for label, t in self.periods
        ]
        t = self.total
        rows.append(
            [
                _("total"),
                t.invoices,
                t.credit_notes,
                t.net,
                *[t.tax_by_rate[r] for r in self.rates],
                t.tax,
                t.gross,
                t.giftcards,
            ]
        )
        return rows

    def rate_header(self):
        return [_("VAT category"), _("VAT rate %"), _("net"), _("VAT"), _("gross")]

    def rate_rows(self):
        """Revenue per category and rate, its total, then the gift cards sold — outside the
        revenue, as the liability DATEV books them to."""
        rows = [
            [category_label(category), _rate(rate), net, tax, gross]
            for category, rate, net, tax, gross in self.by_category
        ]
        t = self.total
        rows.append([_("revenue"), "", t.net, t.tax, t.gross])
        rows += [
            [category_label(EXEMPT), _rate(rate), net, tax, gross]
            for rate, net, tax, gross in self.giftcards
        ]
        return rows

    def payment_header(self):
        return [
            _("payment method"),
            _("invoices"),
            _("credit notes"),
            _("net"),
            _("VAT"),
            _("gross"),
            _("gift cards sold"),
        ]

    def payment_rows(self):
        return [
            [name, t.invoices, t.credit_notes, t.net, t.tax, t.gross, t.giftcards]
            for name, t in self.by_payment
        ]


CATEGORY_ORDER = {"S": 0, "Z": 1, "K": 2, "AE": 3, "G": 4}


def _rate(rate):
    return f"{rate.normalize():f}" if rate == rate.to_integral() else f"{rate:f}"


def _payment_names(docs):
    """Each payment method's name in the reader's language: as the documents of orders in
    that language carry it (a method renamed later keeps the name it had on its invoices),
    else the method's own name in that language (its translation, or the default language's
    as ``PaymentMethod.name`` falls back) — whichever languages the orders were in. Only
    for a method that no longer exists, the name most of its documents carry. One query."""
    language = (translation.get_language() or "").split("-")[0]
    carried = defaultdict(Counter)
    in_language = defaultdict(Counter)
    for doc in docs:
        if doc.payment_method_id:
            carried[doc.payment_method_id][doc.payment_name] += 1
            if doc.language == language:
                in_language[doc.payment_method_id][doc.payment_name] += 1
    methods = {m.pk: m.name for m in PaymentMethod.objects.filter(pk__in=list(carried))}

    def most_carried(counts):
        return min(counts, key=lambda name: (-counts[name], name))

    return {
        key: most_carried(in_language[key])
        if in_language[key]
        else methods.get(key) or most_carried(counts)
        for key, counts in carried.items()
    }


def _payment_label(key, names):
    """The report's row label of a payment method (a document without one: its own name)."""
    return names.get(key, key) if isinstance(key, int) else key


def sales_report(first, last, group="day"):
    """Revenue — net, VAT per rate and gross — by day or month, credit notes subtracted, and
    the same by VAT category and rate and by payment method; gift cards sold beside it."""
    if group not in ("day", "month"):
        raise ValueError(group)
    docs = documents(first, last)
    periods = {}
    if group == "day":
        day = first
        while day <= last:
            periods[day] = Totals()
            day += timedelta(days=1)
    else:
        month = first.replace(day=1)
        while month <= last:
            periods[month] = Totals()
            month = (month + timedelta(days=32)).replace(day=1)
    total = Totals()
    by_payment = defaultdict(Totals)
    sums = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for doc in docs:
        key = doc.day if group == "day" else doc.day.replace(day=1)
        periods[key].add(doc)
        total.add(doc)
        by_payment[doc.payment_method_id or doc.payment_name].add(doc)
        for row in doc.rows:
            amounts = sums[(row["category"], row["rate"])]
            amounts[0] += row["net"]
            amounts[1] += row["tax"]
            amounts[2] += row["gross"]
    revenue = sorted(
        (key for key in sums if key[0] != EXEMPT),
        key=lambda key: (CATEGORY_ORDER.get(key[0], len(CATEGORY_ORDER)), -key[1]),
    )
    rates = sorted({rate for _category, rate in revenue})
    names = _payment_names(docs)
    labels = {key: key.isoformat() if group == "day" else key.strftime("%Y-%m") for key in periods}
    return SalesReport(
        first=first,
        last=last,
        group=group,
        periods=[(labels[key], totals) for key, totals in periods.items()],
        rates=rates,
        by_category=[(category, rate, *sums[(category, rate)]) for category, rate in revenue],
        giftcards=[
            (rate, *sums[(category, rate)]) for category, rate in sorted(sums) if category == EXEMPT
        ],
        by_payment=sorted(
            (_payment_label(key, names), totals) for key, totals in by_payment.items()
        ),
        total=total,
    )


def month_bounds(text):
    """``"2026-03"`` → (date(2026, 3, 1), date(2026, 3, 31)); ValueError for anything else."""
    match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})", text.strip() if isinstance(text, str) else "")
    if match is None:  # int() took "2_026-03" and other digits than 0–9
        raise ValueError(text)
    year, month = int(match[1]), int(match[2])
    try:
        first = date(year, month, 1)
    except ValueError:
        raise ValueError(text) from None
    if not 2000 <= year <= 2100:
        raise ValueError(text)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


# --- files ----------------------------------------------------------------------------------


def report_csv(report):
    """The report's three tables one below the other (periods, VAT rates, payment methods)."""
    from shop.exports import csv_tables

    return csv_tables(
        (report.header(), report.period_rows()),
        (report.rate_header(), report.rate_rows()),
        (report.payment_header(), report.payment_rows()),
    )


def report_xlsx(report):
    """The report as a workbook: one sheet per table, amounts as numbers (two decimals)."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from shop.exports import neutralise

    workbook = Workbook()
    sheets = [
        (_("Sales"), report.header(), report.period_rows()),
        (_("VAT categories"), report.rate_header(), report.rate_rows()),
        (_("Payment methods"), report.payment_header(), report.payment_rows()),
    ]
    for index, (title, header, rows) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = str(title)[:31]
        sheet.append([str(h) for h in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            # Text cells are neutralised: openpyxl would store "=…" as a formula.
            sheet.append([v if isinstance(v, int | Decimal) else neutralise(v) for v in row])
        for column in sheet.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
        sheet.freeze_panes = "B2"
        for letter, width in zip(
            "ABCDEFGHIJK", [14, 10, 12, 14, 12, 12, 12, 14, 14, 14, 14], strict=False
        ):
            sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
