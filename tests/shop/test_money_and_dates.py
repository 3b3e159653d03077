"""One way to show money, dates and times per language (issue 22): the ``money`` filter and
``shop.money.format_money`` everywhere money is shown — pages, e-mails (HTML and text) and
PDFs — and one date and one date-time format per language. A grep over the templates keeps
raw money output out."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation
from django.utils.dateformat import format as date_format

from orders import pdf, services
from shop.mail import written
from shop.models import OutboxEmail
from shop.money import format_money
from tests.factories import ProductFactory
from tests.orders.test_documents import pdf_text

NBSP = "\xa0"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize(
    ("language", "currency", "expected"),
    [
        ("de", "EUR", f"1.234,56{NBSP}€"),
        ("pl", "PLN", f"1{NBSP}234,56{NBSP}zł"),
        ("pl", "EUR", f"1{NBSP}234,56{NBSP}€"),
        ("da", "DKK", f"1.234,56{NBSP}kr."),
        ("da", "EUR", f"1.234,56{NBSP}€"),
        ("en", "EUR", "€1,234.56"),
    ],
)
def test_money_in_each_language(language, currency, expected):
    assert format_money(Decimal("1234.56"), currency, language) == expected


def test_money_is_rounded_to_the_cent_never_shown_raw():
    # What a computed Decimal looked like on a page before: "44.8900000000000".
    assert format_money(Decimal("44.8900000000000"), "EUR", "de") == f"44,89{NBSP}€"
    assert format_money(Decimal("2.345"), "EUR", "en") == "€2.35"  # half up, like money()
    assert format_money(None) == "" and format_money("") == ""
    assert format_money("n/a") == "n/a"  # never a traceback on a page


def test_the_filter_uses_the_active_language_and_the_shop_currency(settings):
    template = Template("{% load money %}{{ amount|money }}|{{ amount|money:'DKK' }}")
    context = Context({"amount": Decimal("1234.5")})
    with translation.override("da"):
        assert template.render(context) == f"1.234,50{NBSP}€|1.234,50{NBSP}kr."
    settings.SHOP_CURRENCY = "PLN"
    with translation.override("pl"):
        assert template.render(context).startswith(f"1{NBSP}234,50{NBSP}zł|")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "price"),
    [("de", f"1.234,50{NBSP}€"), ("pl", f"1{NBSP}234,50{NBSP}€"), ("da", f"1.234,50{NBSP}€")],
)
def test_product_page_cart_and_confirmation_email_show_the_languages_format(
    client, make_order, language, price
):
    product = ProductFactory(price=Decimal("1234.50"))
    with translation.override(language):
        page = client.get(reverse("shop:product", args=[product.slug])).content.decode()
    assert price in page
    order = make_order({product.pk: 1}, language=language)
    mail = written(OutboxEmail.objects.get(template="order_confirmation", to=[order.email]))
    assert price in mail.body_text and price in mail.body_html
    assert "1234.50" not in mail.body_text + mail.body_html
    assert " EUR" not in mail.body_text  # the currency comes with the amount, once


@pytest.mark.django_db
def test_german_invoice_pdf_and_credit_note_show_german_amounts(make_order, invoice_payment):
    product = ProductFactory(name="Kaffeekanne", price=Decimal("1234.50"))
    order = make_order({product.pk: 1}, payment_method_id=invoice_payment.pk, language="de")
    invoice = services.create_invoice(order)
    text = pdf_text(pdf.invoice_pdf_bytes(invoice.pk)).replace(NBSP, " ")
    gross = format_money(invoice.grand_total, "EUR", "de").replace(NBSP, " ")
    assert gross in text and "1.234,50" in text
    assert "EUR" not in text.replace("EUR-", "")  # no "1234.50 EUR" left
    services.refund_order(order)
    note = invoice.credit_notes.get()
    text = pdf_text(pdf.render_credit_note(note)).replace(NBSP, " ")
    assert f"−{gross}" in text


# Raw money in a template: an amount followed by a currency variable, a money-looking
# variable rounded with floatformat:2 (instead of |money), or a literal "0.00".
MONEY_NAMES = (
    r"(?:\w*_total|amount|amount_due|balance|price|unit_price|due_reduction|initial_value"
    r"|net|tax|gross)"
)
RAW_MONEY = [
    re.compile(r"\}\}\s*(?:</span>\s*)?\{\{\s*[\w.]*currency\s*\}\}"),
    re.compile(
        r"\{\{\s*[\w.]*(?:total|amount|price|balance|value|net|gross|tax)\w*"
        r"\|floatformat:\"?2g?\"?"
    ),
    re.compile(r"\{\{\s*\w+\s*\}\}\s*\{\{\s*currency\s*\}\}"),  # in a blocktranslate
    re.compile(r"(?<![\w.])0\.00\s*(?:\{\{|EUR|€)"),
    re.compile(r"\{\{\s*[\w.]+\s*\}\}\s*(?:EUR|€)"),
    # an amount of a row printed as it is ("20.00", or "20,00" without its currency) …
    re.compile(r"\{\{\s*\w+(?:\.\w+)*\." + MONEY_NAMES + r"\s*\}\}"),
    # … or handed to a blocktranslate without the money filter
    re.compile(r"(?<![=!<>])=\s*\w+(?:\.\w+)*\." + MONEY_NAMES + r"(?=\s|%\})"),
]


def test_templates_show_money_only_through_the_money_filter():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if any(pattern.search(line) for pattern in RAW_MONEY):
                offenders.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:120]}")
    assert not offenders, "raw money output, use {{ amount|money }}:\n" + "\n".join(offenders)


def test_the_grep_catches_raw_money():
    bad = [
        "<td>{{ order.grand_total }} {{ order.currency }}</td>",
        '{{ data.total|floatformat:"2g" }}',
        "{% blocktranslate with amount=x %}Pay {{ amount }} {{ currency }}{% endblocktranslate %}",
        "<strong>0.00 {{ currency }}</strong>",
        "{{ card.balance }} EUR",
        '<td style="text-align:right">{{ e.amount }}</td>',
        '<td class="num quiet">{{ row.tax }}</td>',
        "{% blocktranslate with rate=row.rate net=row.net %}",
        "{% blocktranslate with amount=note.paid_total method=m %}{{ amount }} via {{ method }}",
        "{% blocktranslate with total=summary.credit_total %}({{ total }}){% endblocktranslate %}",
    ]
    for line in bad:
        assert any(pattern.search(line) for pattern in RAW_MONEY), line
    for good in [
        "{{ order.grand_total|money:order.currency }}",
        "{% blocktranslate with amount=note.paid_total|money:invoice.currency %}",
        "{% if credit_note.grand_total == invoice.grand_total %}",
        "{% blocktranslate with n=page.number total=page.paginator.num_pages %}",
    ]:
        assert not any(p.search(good) for p in RAW_MONEY), good


@pytest.mark.parametrize(
    ("language", "date", "datetime"),
    [
        ("en", "30 Nov 2026", "30 Nov 2026, 14:05"),
        ("de", "30.11.2026", "30.11.2026, 14:05"),
        ("pl", "30.11.2026", "30.11.2026, 14:05"),
        ("da", "30.11.2026", "30.11.2026 14:05"),
    ],
)
def test_one_date_and_one_datetime_format_per_language(language, date, datetime):
    from datetime import datetime as dt

    moment = dt(2026, 11, 30, 14, 5)
    with translation.override(language):
        # Lists (the admin's columns, SHORT_*) and detail pages (DATE_FORMAT …) alike.
        for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT"):
            assert date_format(moment, formats.get_format(name)) == date
        for name in ("DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"):
            assert date_format(moment, formats.get_format(name)) == datetime


NOT_MONEY = ("rate", "percent", "quantity")


def test_no_backoffice_column_or_read_only_field_shows_an_amount_as_a_plain_number():
    """Django shows a DecimalField of a list column or read-only field as "20,00", without
    its currency: amounts go through ``shop.admin.money_column`` instead. A screen nobody
    may change (``ReadOnlyAdminMixin``) shows every field of its change page read-only."""
    from django.db.models import DecimalField

    from shop.admin import ReadOnlyAdminMixin, backoffice

    offenders = []
    for model, model_admin in backoffice._registry.items():
        shown = [*model_admin.list_display, *(model_admin.readonly_fields or ())]
        change = f"{model._meta.app_label}_{model._meta.model_name}_change"
        has_page = any(url.name == change for url in model_admin.get_urls())
        if isinstance(model_admin, ReadOnlyAdminMixin) and has_page:
            # Nobody may change its rows: the change page shows every field read-only.
            shown += model_admin.fields or [f.name for f in model._meta.fields if f.editable]
        for name in shown:
            if not isinstance(name, str) or any(word in name for word in NOT_MONEY):
                continue
            try:
                field = model._meta.get_field(name)
            except Exception:  # a column of the ModelAdmin, not a field
                continue
            if isinstance(field, DecimalField):
                offenders.append(f"{model._meta.label}.{name}")
    assert not offenders, offenders
