"""Addresses print their country by name in the reader's language, never as an ISO code:
"Polska" in a Polish confirmation, "Danmark" on a Danish invoice, "Polish" as the order's
language on the backoffice order page (shop/locales.py)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from customers.models import Address
from orders import pdf, services
from shop.locales import country_name, language_name
from shop.mail import written
from shop.models import OutboxEmail, ShopSettings

from .factories import ship_all
from .test_documents import pdf_text

pytestmark = pytest.mark.django_db

ADDRESS = {"street": "Długa 1", "city": "Warszawa"}
# A postcode of each country's form (the checkout service checks them).
POSTCODES = {"PL": "00-001", "DE": "10115", "DK": "1050", "AT": "1010"}


def address(country, first_name="Anna"):
    return {
        "first_name": first_name,
        "last_name": "Nowak",
        "country": country,
        "postcode": POSTCODES.get(country.upper(), "00-001"),
        **ADDRESS,
    }


def a_bare_code(text):
    """A line that is nothing but a two-letter code: what the addresses printed before."""
    return [line for line in text.splitlines() if re.fullmatch(r"\s*[A-Z]{2}\s*", line)]


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("en", ["Germany", "Poland", "Denmark", "Austria", "German", "Polish"]),
        ("de", ["Deutschland", "Polen", "Dänemark", "Österreich", "Deutsch", "Polnisch"]),
        ("pl", ["Niemcy", "Polska", "Dania", "Austria", "niemiecki", "polski"]),
        ("da", ["Tyskland", "Polen", "Danmark", "Østrig", "tysk", "polsk"]),
    ],
)
def test_countries_and_languages_by_name_in_each_language(language, names):
    with translation.override(language):
        got = [country_name(code) for code in ("DE", "pl", "DK", "AT")]
        got += [language_name("de"), language_name("pl")]
    assert got == names
    assert country_name("PL", "da") == "Polen"  # an explicit language wins
    assert country_name("XQ") == "XQ" and country_name("") == "" and language_name("xx") == "xx"


def test_polish_confirmation_names_the_countries_in_polish(make_order):
    make_order(language="pl", billing=address("PL"), shipping=address("DK", "Jan"))
    mail = written(OutboxEmail.objects.get(template="order_confirmation"))
    for body in (mail.body_text, mail.body_html):
        assert "Polska" in body and "Dania" in body
    assert a_bare_code(mail.body_text) == []


def test_invoice_and_packing_slip_name_a_foreign_country_in_the_orders_language(make_order):
    assert ShopSettings.load().country == "DE"
    order = make_order(language="da", billing=address("PL"), shipping=address("AT", "Jan"))
    invoice = services.create_invoice(order)
    text = pdf_text(pdf.invoice_pdf_bytes(invoice.pk))
    assert "Polen" in text and a_bare_code(text) == []
    shipment = services.create_shipment(order, ship_all(order), [])
    slip = pdf_text(pdf.packing_slip_pdf_bytes(shipment.pk))
    assert "Østrig" in slip and a_bare_code(slip) == []


def test_a_domestic_address_prints_no_country_on_the_documents(make_order):
    order = make_order(language="de", billing=address("DE"))
    invoice = services.create_invoice(order)
    text = pdf_text(pdf.invoice_pdf_bytes(invoice.pk))
    buyer = text[text.index("Anna Nowak") : text.index(ShopSettings.load().shop_name)]
    assert "10115 Warszawa" in buyer and "Deutschland" not in buyer


def test_backoffice_order_page_and_list_name_country_and_language(admin_client, make_order):
    order = make_order(language="pl", billing=address("PL"), shipping=address("DK", "Jan"))
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "<td>Polish</td>" in page
    assert "<br>Poland" in page and "<br>Denmark<br>" in page
    listing = admin_client.get(reverse("admin:orders_order_changelist")).content.decode()
    assert "Country: Poland · Polish" in listing


def test_the_address_book_names_the_country(client, customer):
    Address.objects.create(customer=customer, **address("DK"))
    client.force_login(customer)
    with translation.override("de"):
        url = reverse("customers:addresses")
    assert "<br>Dänemark</p>" in client.get(url).content.decode()


def test_no_template_prints_a_country_code_raw():
    """Every template that prints an address's country passes it through ``country_name``."""
    from django.conf import settings

    raw = re.compile(r"\{\{\s*[\w.]*country\s*\}\}")
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for root in [settings.BASE_DIR / "templates", *settings.BASE_DIR.glob("*/templates")]
        for path in root.rglob("*.*")
        if path.suffix in {".html", ".txt"}
        for match in raw.finditer(path.read_text())
    ]
    assert found == []
