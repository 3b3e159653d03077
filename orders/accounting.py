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

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from customers.vat import EU_COUNTRIES
from shop.models import PaymentMethod, ShopSettings
from shop.money import ZERO, format_percent

from .einvoice import credit_note_snapshot, invoice_snapshot
from .models import CreditNote, Invoice
from .vat import EXEMPT, STANDARD, ZERO_RATED, category_label, document_figures


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
    # The buyer as the invoice keeps them: where the supply went (the shipping country, the
    # billing country of an order that ships nothing — checkout puts it there), the VAT ID
    # and reverse charge. The § 3c UStG threshold (:func:`distance_sales`) reads them.
    delivery_country: str = ""
    buyer_vat_id: str = ""
    reverse_charge: bool = False

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


def documents(first, last, where=None):
    """Invoices and credit notes dated ``first`` … ``last`` (local days, inclusive), by date
    and number, with their amounts per category and rate (:func:`figure_rows`). Two queries,
    whatever the period. ``where``: only the documents whose invoice matches it — a function
    of the path to the invoice (``""``, ``"invoice__"``) returning a ``Q``."""
    start, end = _bounds(first, last)
    found = []
    invoices = Invoice.objects.filter(created__gte=start, created__lt=end)
    credit_notes = CreditNote.objects.filter(created__gte=start, created__lt=end)
    if where is not None:
        invoices = invoices.filter(where(""))
        credit_notes = credit_notes.filter(where("invoice__"))
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
                **_buyer(invoice),
            )
        )
    for credit_note in credit_notes.select_related("invoice").annotate(
        method_id=F("invoice__order__payment_method_id"),
        order_language=F("invoice__order__language"),
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
                **_buyer(invoice),
            )
        )
    found.sort(key=lambda d: (d.day, d.kind != "invoice", d.number))
    return found


def _buyer(invoice):
    """The buyer fields of a :class:`Document` from its invoice's snapshot (an invoice issued
    before it kept a delivery country: the buyer's country)."""
    return {
        "delivery_country": (invoice.delivery_country or invoice.buyer_country or "").upper(),
        "buyer_vat_id": invoice.buyer_vat_id,
        "reverse_charge": invoice.reverse_charge,
    }


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
    """A VAT rate as the number it is, without trailing zeros (``19``, ``5.5``): the CSV
    writes it like its amounts, with the reader's decimal separator ("5,5" for a German,
    Polish or Danish Excel, which reads "5.5" as the 5th of May; ``shop.exports``), the XLSX
    as a number, the page through the ``percent`` filter ("5,5 %")."""
    return rate.normalize() if rate != rate.to_integral() else rate.quantize(Decimal(1))


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
        # by label (two methods of one name: the totals themselves are never compared)
        by_payment=sorted(
            ((_payment_label(key, names), totals) for key, totals in by_payment.items()),
            key=lambda row: row[0],
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


# --- the distance-sales threshold (§ 3c UStG) ---------------------------------------------
#
# The shop charges its own country's VAT to every consumer (one rate per product). For a
# consumer in another member state that is lawful only while the seller's distance sales of
# goods and electronic services to consumers in other member states stay at or below
# 10,000 € net in the current and in the previous calendar year (§ 3c Abs. 4 UStG,
# Art. 59c VAT Directive); above it the customer's country's VAT is due (OSS), which this
# shop cannot charge. The sales report shows the figure, the start page warns near it.

# Supplies taxed at the seller's rates — standard, reduced, or a product's 0 % (``Z``): what
# a consumer abroad is charged the seller's country's VAT on. Not gift cards sold (``E``,
# taxed when redeemed), reverse charge (``K``, ``AE``: a business buyer) or exports (``G``).
DISTANCE_SALES_CATEGORIES = frozenset({STANDARD, ZERO_RATED})
DISTANCE_SALES_WARN = Decimal("0.8")  # "close to the threshold" from 80 % of it
DISTANCE_SALES_CACHE_SECONDS = 3600
_DISTANCE_SALES_KEY = "orders:distance-sales:v1:{year}"


@dataclass
class DistanceSales:
    """A calendar year's net distance sales to consumers in other EU member states."""

    year: int
    seller_country: str
    by_country: list  # [(ISO code, net)], the largest first
    total: Decimal
    threshold: Decimal

    @property
    def share(self):
        """The total in percent of the threshold (one decimal)."""
        if self.threshold <= 0:
            return Decimal(100) if self.total > 0 else ZERO
        return (self.total * 100 / self.threshold).quantize(Decimal("0.1"))

    @property
    def level(self):
        """ "above" the threshold (more than it: the customer's country's VAT is due), "close"
        (from 80 % of it) or "below"."""
        if self.total > self.threshold:
            return "above"
        if self.total >= self.threshold * DISTANCE_SALES_WARN:
            return "close"
        return "below"


def distance_sales_threshold():
    """``DISTANCE_SALES_THRESHOLD`` (shop currency) as a Decimal."""
    return Decimal(str(settings.DISTANCE_SALES_THRESHOLD))


def _seller_country():
    return (ShopSettings.load().country or "").upper()


def distance_sales_figures(year, seller_country):
    """``{country: net}`` of the invoices minus the credit notes dated in ``year`` whose buyer
    is a consumer (no VAT ID, no reverse charge) in an EU member state other than
    ``seller_country``, the rows of :data:`DISTANCE_SALES_CATEGORIES` only — from the stored
    document rows the sales report reads (:func:`documents`: two queries, whatever the year)."""
    abroad = EU_COUNTRIES - {seller_country}
    sums = defaultdict(lambda: ZERO)
    for doc in documents(date(year, 1, 1), date(year, 12, 31), _consumers_in(abroad)):
        if doc.buyer_vat_id or doc.reverse_charge or doc.delivery_country not in abroad:
            continue
        for row in doc.rows:
            if row["category"] in DISTANCE_SALES_CATEGORIES:
                sums[doc.delivery_country] += row["net"]
    return dict(sums)


def _consumers_in(countries):
    """The ``where`` of :func:`documents` for the invoices of consumers (no VAT ID, no reverse
    charge) delivered to one of ``countries``: the year's other documents are not read."""

    def where(path):
        return Q(**{f"{path}buyer_vat_id": "", f"{path}reverse_charge": False}) & (
            Q(**{f"{path}delivery_country__in": countries})
            | Q(**{f"{path}delivery_country": "", f"{path}buyer_country__in": countries})
        )

    return where


def _distance_sales(year, seller_country, figures):
    by_country = sorted(
        ((country, net) for country, net in figures.items() if net),
        key=lambda item: (-item[1], item[0]),
    )
    return DistanceSales(
        year=year,
        seller_country=seller_country,
        by_country=by_country,
        total=sum((net for _country, net in by_country), ZERO),
        threshold=distance_sales_threshold(),
    )


def distance_sales(year, seller_country=None):
    """:class:`DistanceSales` of ``year``, computed now (``seller_country``: default the shop
    settings' country)."""
    seller_country = (seller_country or _seller_country()).upper()
    return _distance_sales(year, seller_country, distance_sales_figures(year, seller_country))


def _issued(years):
    """Per year: the number and the last id of the invoices and of the credit notes dated in
    it. Documents are never changed or deleted, so this names a year's set of documents: a
    new one changes it. Two queries."""
    aggregates, whole = {}, Q()
    for year in years:
        start, end = _bounds(date(year, 1, 1), date(year, 12, 31))
        in_year = Q(created__gte=start, created__lt=end)
        whole |= in_year
        aggregates[f"n{year}"] = Count("id", filter=in_year)
        aggregates[f"m{year}"] = Max("id", filter=in_year)
    invoices = Invoice.objects.filter(whole).aggregate(**aggregates)
    credit_notes = CreditNote.objects.filter(whole).aggregate(**aggregates)
    return {
        year: (
            invoices[f"n{year}"],
            invoices[f"m{year}"],
            credit_notes[f"n{year}"],
            credit_notes[f"m{year}"],
        )
        for year in years
    }


def distance_sales_years(today=None):
    """:class:`DistanceSales` of the current and the previous calendar year, for the sales
    report: exact (recomputed when a document was issued since, else from the cache) — and
    kept for the start page's tile (:func:`cached_distance_sales`)."""
    today = today or timezone.localdate()
    years = [today.year, today.year - 1]
    seller_country = _seller_country()
    issued = _issued(years)
    result = []
    for year in years:
        key = _DISTANCE_SALES_KEY.format(year=year)
        stamp = (seller_country, issued[year])
        kept = cache.get(key)
        if kept is None or kept.get("stamp") != stamp:
            kept = {
                "stamp": stamp,
                "seller_country": seller_country,
                "figures": distance_sales_figures(year, seller_country),
            }
            cache.set(key, kept, DISTANCE_SALES_CACHE_SECONDS)
        result.append(_distance_sales(year, seller_country, kept["figures"]))
    return result


def cached_distance_sales(year):
    """:class:`DistanceSales` of ``year`` as computed at most an hour ago (the start page's
    tile: no query while it is kept)."""
    key = _DISTANCE_SALES_KEY.format(year=year)
    kept = cache.get(key)
    if kept is None:
        seller_country = _seller_country()
        kept = {
            "stamp": None,  # the sales report checks it against the documents issued
            "seller_country": seller_country,
            "figures": distance_sales_figures(year, seller_country),
        }
        cache.set(key, kept, DISTANCE_SALES_CACHE_SECONDS)
    return _distance_sales(year, kept["seller_country"], kept["figures"])


def distance_sales_level(today=None):
    """The start page's warning: "above" or "close" when the current or the previous year
    reached it (the higher of both), else None."""
    today = today or timezone.localdate()
    levels = {cached_distance_sales(year).level for year in (today.year, today.year - 1)}
    for level in ("above", "close"):
        if level in levels:
            return level
    return None


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
    # (title, header, rows, the columns of VAT rates: a number as Excel shows it, "5,5", "19")
    sheets = [
        (_("Sales"), report.header(), report.period_rows(), ()),
        (_("VAT categories"), report.rate_header(), report.rate_rows(), ("B",)),
        (_("Payment methods"), report.payment_header(), report.payment_rows(), ()),
    ]
    for index, (title, header, rows, rate_columns) in enumerate(sheets):
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
                    in_rates = cell.column_letter in rate_columns
                    cell.number_format = "General" if in_rates else "#,##0.00"
        sheet.freeze_panes = "B2"
        for letter, width in zip(
            "ABCDEFGHIJK", [14, 10, 12, 14, 12, 12, 12, 14, 14, 14, 14], strict=False
        ):
            sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
