"""DATEV "Buchungsstapel" export: the month's revenue bookings for the tax consultant.

The file is the DATEV format (EXTF, header version 700, data category 21 "Buchungsstapel",
format version 13) as DATEV's accounting programs import it:

* line 1, the header: 31 fields — "EXTF", version, category, format name and version, the
  creation time, the consultant's and client's numbers (``DATEV_CONSULTANT_NUMBER``,
  ``DATEV_CLIENT_NUMBER``), the start of the fiscal year, the account length, the period,
  a label, posting type 1 (financial accounting), not locked (the consultant checks and
  locks), the currency and the chart of accounts (``DATEV_CHART``);
* line 2, the 125 column names of the booking records;
* one booking per document and VAT rate: the gross amount, "S" (debit) for an invoice or
  "H" (credit) for a credit note on the debtor account (``DATEV_DEBTOR_ACCOUNT``), against
  the revenue account of the rate (``DATEV_REVENUE_ACCOUNTS``, e.g. 8400 for 19 % in SKR03 —
  automatic accounts, so no tax key), the document date (DDMM), the document number as
  "Belegfeld 1" and a booking text.

Semicolon-separated, text in double quotes, decimal comma, CRLF, Windows-1252. Payments
are not part of it (they come from the bank statements); nothing personal is in the file.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shop.forms import parse_id

from .accounting import documents, month_bounds
from .errors import OrderError

HEADER_VERSION = 700
CATEGORY = 21
FORMAT_NAME = "Buchungsstapel"
FORMAT_VERSION = 13
ENCODING = "cp1252"

COLUMNS = [
    "Umsatz (ohne Soll/Haben-Kz)",
    "Soll/Haben-Kennzeichen",
    "WKZ Umsatz",
    "Kurs",
    "Basis-Umsatz",
    "WKZ Basis-Umsatz",
    "Konto",
    "Gegenkonto (ohne BU-Schlüssel)",
    "BU-Schlüssel",
    "Belegdatum",
    "Belegfeld 1",
    "Belegfeld 2",
    "Skonto",
    "Buchungstext",
    "Postensperre",
    "Diverse Adressnummer",
    "Geschäftspartnerbank",
    "Sachverhalt",
    "Zinssperre",
    "Beleglink",
    *[f"Beleginfo - {part} {i}" for i in range(1, 9) for part in ("Art", "Inhalt")],
    "KOST1 - Kostenstelle",
    "KOST2 - Kostenstelle",
    "Kost-Menge",
    "EU-Land u. UStID (Bestimmung)",
    "EU-Steuersatz (Bestimmung)",
    "Abw. Versteuerungsart",
    "Sachverhalt L+L",
    "Funktionsergänzung L+L",
    "BU 49 Hauptfunktionstyp",
    "BU 49 Hauptfunktionsnummer",
    "BU 49 Funktionsergänzung",
    *[
        name
        for i in range(1, 21)
        for name in (f"Zusatzinformation - Art {i}", f"Zusatzinformation- Inhalt {i}")
    ],
    "Stück",
    "Gewicht",
    "Zahlweise",
    "Forderungsart",
    "Veranlagungsjahr",
    "Zugeordnete Fälligkeit",
    "Skontotyp",
    "Auftragsnummer",
    "Buchungstyp",
    "USt-Schlüssel (Anzahlungen)",
    "EU-Land (Anzahlungen)",
    "Sachverhalt L+L (Anzahlungen)",
    "EU-Steuersatz (Anzahlungen)",
    "Erlöskonto (Anzahlungen)",
    "Herkunft-Kz",
    "Buchungs GUID",
    "KOST-Datum",
    "SEPA-Mandatsreferenz",
    "Skontosperre",
    "Gesellschaftername",
    "Beteiligtennummer",
    "Identifikationsnummer",
    "Zeichnernummer",
    "Postensperre bis",
    "Bezeichnung SoBil-Sachverhalt",
    "Kennzeichen SoBil-Buchung",
    "Festschreibung",
    "Leistungsdatum",
    "Datum Zuord. Steuerperiode",
    "Fälligkeit",
    "Generalumkehr (GU)",
    "Steuersatz",
    "Land",
    "Abrechnungsreferenz",
    "BVV-Position",
    "EU-Land u. UStID (Ursprung)",
    "EU-Steuersatz (Ursprung)",
    "Abw. Skontokonto",
]
assert len(COLUMNS) == 125

# Positions (0-based) of the fields a booking fills; every other field stays empty.
AMOUNT, SIDE, CURRENCY, ACCOUNT, CONTRA, DOC_DATE, DOC_FIELD_1, DOC_FIELD_2, TEXT = (
    0,
    1,
    2,
    6,
    7,
    9,
    10,
    11,
    13,
)
EU_VAT_ID = COLUMNS.index("EU-Land u. UStID (Bestimmung)")
TEXT_FIELDS = {1, 2, 10, 11, 13}  # quoted (and the VAT ID, where there is one)


def _text(value):
    value = str(value).replace('"', '""').replace("\r", " ").replace("\n", " ")
    return f'"{value}"'


def _amount(value):
    return f"{abs(value):.2f}".replace(".", ",")


def revenue_accounts(value=None):
    """``"19=8400,7=8300,0=8200"`` → {Decimal("19"): "8400", …}."""
    value = settings.DATEV_REVENUE_ACCOUNTS if value is None else value
    accounts = {}
    for part in (value or "").split(","):
        if not part.strip():
            continue
        try:
            rate, account = part.split("=")
            rate = Decimal(rate.strip())
        except (ValueError, ArithmeticError):
            raise OrderError(
                _("DATEV_REVENUE_ACCOUNTS must look like “19=8400,7=8300”, not “%(value)s”.")
                % {"value": value}
            ) from None
        account = account.strip()
        if parse_id(account) is None:
            raise OrderError(
                _("The revenue account “%(account)s” is not a number.") % {"account": account}
            )
        accounts[rate.normalize()] = account
    return accounts


# The EN 16931 categories that are no revenue at their rate's account: a gift card sold is a
# multi-purpose voucher — a liability until it is redeemed, not revenue (E); an
# intra-community supply (K) and a reverse-charge service (AE) are tax-free revenue that the
# VAT return and the EC sales list need on their own accounts, an export delivery (G) too
# (the VAT return's line for tax-free exports, § 4 Nr. 1a UStG).
CATEGORY_NAMES = {
    "E": "gift cards",
    "K": "intra-community supplies",
    "AE": "reverse charge",
    "G": "export deliveries",
}


def category_accounts(value=None):
    """``"E=1604,K=8125,AE=8337,G=8120"`` → {"E": "1604", …}: accounts that take a category's
    amounts instead of its rate's revenue account."""
    value = settings.DATEV_CATEGORY_ACCOUNTS if value is None else value
    accounts = {}
    for part in (value or "").split(","):
        if not part.strip():
            continue
        category, _sep, account = part.partition("=")
        category, account = category.strip().upper(), account.strip()
        if category not in CATEGORY_NAMES or parse_id(account) is None:
            raise OrderError(
                _(
                    "DATEV_CATEGORY_ACCOUNTS must look like “E=1604,K=8125,AE=8337” "
                    "(E gift cards, K intra-community supplies, AE reverse charge), not "
                    "“%(value)s”."
                )
                % {"value": value}
            )
        accounts[category] = account
    return accounts


def _category_rows(docs):
    """{document number: [(category, rate, gross)]}: each document's amounts per EN 16931
    category and rate — the figures its e-invoice carries, as the sales report reads them
    (``accounting.documents``) — signed like the document rows (a credit note's are
    negative)."""
    return {
        doc.number: [(row["category"], row["rate"].normalize(), row["gross"]) for row in doc.rows]
        for doc in docs
    }


def _buyer_vat_id(docs):
    """{document number: the buyer's VAT ID} for the tax-free EU bookings (DATEV's "EU-Land u.
    UStID (Bestimmung)")."""
    from .models import Invoice

    numbers = {doc.invoice_number for doc in docs}
    ids = dict(
        Invoice.objects.filter(number__in=numbers)
        .exclude(buyer_vat_id="")
        .values_list("number", "buyer_vat_id")
    )
    return {doc.number: ids.get(doc.invoice_number, "") for doc in docs}


def _config():
    for name in ("DATEV_CONSULTANT_NUMBER", "DATEV_CLIENT_NUMBER"):
        if getattr(settings, name) < 1:
            raise OrderError(_("%(name)s is not set.") % {"name": name})
    if not 4 <= settings.DATEV_ACCOUNT_LENGTH <= 8:
        raise OrderError(_("DATEV_ACCOUNT_LENGTH must be between 4 and 8."))
    debtor = str(settings.DATEV_DEBTOR_ACCOUNT).strip()
    if parse_id(debtor) is None:
        raise OrderError(_("DATEV_DEBTOR_ACCOUNT must be an account number."))
    try:
        month, day = (int(p) for p in settings.DATEV_FISCAL_YEAR_START.split("-"))
        date(2001, month, day)  # a real day of every year ("02-29" is not)
    except ValueError:
        raise OrderError(_("DATEV_FISCAL_YEAR_START must look like “01-01” (month-day).")) from None
    return debtor, (month, day), revenue_accounts()


def _fiscal_year_start(first, start):
    month, day = start
    year = first.year if (first.month, first.day) >= (month, day) else first.year - 1
    return first.replace(year=year, month=month, day=day)


def header(first, last, fiscal_start, label, now=None):
    now = timezone.localtime(now)
    created = now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"
    fields = [
        _text("EXTF"),
        str(HEADER_VERSION),
        str(CATEGORY),
        _text(FORMAT_NAME),
        str(FORMAT_VERSION),
        created,
        "",  # imported (DATEV's)
        _text("RE"),  # origin: accounting
        _text(""),  # exported by
        _text(""),  # imported by
        str(settings.DATEV_CONSULTANT_NUMBER),
        str(settings.DATEV_CLIENT_NUMBER),
        fiscal_start.strftime("%Y%m%d"),
        str(settings.DATEV_ACCOUNT_LENGTH),
        first.strftime("%Y%m%d"),
        last.strftime("%Y%m%d"),
        _text(label[:30]),
        _text(""),  # initials
        "1",  # posting type: financial accounting
        "0",  # purpose of accounting: independent
        "0",  # not locked: the consultant checks and locks the batch
        _text(settings.SHOP_CURRENCY),
        "",  # reserved
        _text(""),  # derivative flag
        "",  # reserved
        "",  # reserved
        _text(settings.DATEV_CHART),
        "",  # industry solution id
        "",  # reserved
        _text(""),  # reserved
        _text(""),  # application information
    ]
    assert len(fields) == 31
    return ";".join(fields)


def bookings(first, last):
    """The booking records of the period: lists of 125 fields, as strings. One per document,
    EN 16931 category and rate: gift cards sold, intra-community supplies, reverse-charge
    services and export deliveries on their own accounts (``DATEV_CATEGORY_ACCOUNTS``), the
    rest on the revenue account of its rate."""
    debtor, _start, accounts = _config()
    by_category = category_accounts()
    docs = documents(first, last)
    rows = _category_rows(docs)
    for doc in docs:  # checked first: the error in the operator's language, nothing written
        for category, rate, gross in rows[doc.number]:
            if gross and category not in by_category and rate not in accounts:
                raise OrderError(
                    _(
                        "No revenue account is set for VAT rate %(rate)s %% "
                        "(DATEV_REVENUE_ACCOUNTS); document %(number)s needs one."
                    )
                    % {"rate": f"{rate:f}", "number": doc.number}
                )
    vat_ids = _buyer_vat_id(docs)
    records = []
    with translation.override("de"):  # the booking texts: the consultant's language
        for doc in docs:
            for category, rate, gross in rows[doc.number]:
                if not gross:
                    continue
                fields = [""] * len(COLUMNS)
                fields[AMOUNT] = _amount(gross)
                # An invoice raises the debtor (debit), a credit note lowers it (credit).
                credit = gross < 0
                fields[SIDE] = "H" if credit else "S"
                fields[CURRENCY] = doc.currency
                fields[ACCOUNT] = debtor
                fields[CONTRA] = by_category.get(category) or accounts[rate]
                if category in ("K", "AE") and vat_ids[doc.number]:
                    fields[EU_VAT_ID] = _text(vat_ids[doc.number])
                fields[DOC_DATE] = doc.day.strftime("%d%m")
                fields[DOC_FIELD_1] = doc.number[:36]
                fields[DOC_FIELD_2] = doc.order_number[:12]
                text = (
                    _("Credit note %(number)s for invoice %(invoice)s")
                    % {"number": doc.number, "invoice": doc.invoice_number}
                    if doc.is_credit_note
                    else _("Invoice %(number)s, order %(order)s")
                    % {"number": doc.number, "order": doc.order_number}
                )
                fields[TEXT] = text[:60]
                records.append(fields)
    return records


def order_refs(month):
    """Access-log references of the orders whose documents the month's file books."""
    from shop.personal_data import order_ref

    from .models import Order

    first, last = month_bounds(month)
    numbers = {doc.order_number for doc in documents(first, last)}
    ids = Order.objects.filter(number__in=numbers).values_list("pk", flat=True)
    return [order_ref(pk) for pk in ids.iterator(chunk_size=10000)]


def export(month, now=None):
    """(filename, bytes) of the month's Buchungsstapel; OrderError on a bad month or setting."""
    try:
        first, last = month_bounds(month)
    except ValueError:
        raise OrderError(
            _("Give a month from 2000-01 to 2100-12 as YYYY-MM, e.g. 2026-03 (not “%(month)s”).")
            % {"month": month}
        ) from None
    debtor, fiscal, _accounts = _config()
    records = bookings(first, last)
    with translation.override("de"):
        label = _("Sales %(month)s") % {"month": first.strftime("%Y-%m")}
    lines = [
        header(first, last, _fiscal_year_start(first, fiscal), label, now=now),
        ";".join(COLUMNS),
    ]
    for fields in records:
        lines.append(";".join(_text(v) if i in TEXT_FIELDS else v for i, v in enumerate(fields)))
    content = "\r\n".join(lines) + "\r\n"
    filename = f"EXTF_Buchungsstapel_{first:%Y-%m}.csv"
    return filename, content.encode(ENCODING, errors="replace"), len(records)
