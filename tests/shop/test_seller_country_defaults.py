"""A Danish or Polish seller gets their own country's defaults and labels, not Germany's: a
new product or shipping method starts with the standard VAT rate of the seller's country
(shop.vat_rates), and the imprint and the PDF footers name the register the seller's entry is
in (a CVR number in Denmark, a KRS number in Poland)."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from orders import pdf, services
from shop.models import Product, ShippingMethod, ShopSettings
from shop.vat_rates import STANDARD_VAT_RATES, standard_vat_rate
from tests.factories import CategoryFactory
from tests.html_forms import FormParser, post_data

pytestmark = pytest.mark.django_db


def seller_in(country, **fields):
    shop = ShopSettings.load()
    shop.country = country
    for name, value in fields.items():
        setattr(shop, name, value)
    shop.save()
    return ShopSettings.load()


def add_page_form(client, url):
    """The add page's main form as a browser would send it back unchanged."""
    html = client.get(url).content.decode()
    parser = FormParser(url)
    parser.feed(html)
    fields = max(parser.forms, key=lambda form: len(form.fields)).fields
    return html, {k: v if len(v) > 1 else v[0] for k, v in post_data(fields).items()}


def typed_rate(value):
    return Decimal(value.replace(",", "."))


# --------------------------------------------------------------------------- the VAT table


def test_the_table_holds_the_rates_of_2026():
    assert standard_vat_rate("DE") == Decimal("19")
    assert standard_vat_rate("pl") == Decimal("23")
    assert standard_vat_rate("DK") == Decimal("25")
    # the changes of 2024–2026
    assert standard_vat_rate("FI") == Decimal("25.5")
    assert standard_vat_rate("EE") == Decimal("24")
    assert standard_vat_rate("RO") == Decimal("21")
    assert standard_vat_rate("SK") == Decimal("23")
    assert standard_vat_rate("GR") == Decimal("24")  # ISO code, not the VAT prefix EL
    assert len(STANDARD_VAT_RATES) == 27
    assert standard_vat_rate("CH") is None and standard_vat_rate("") is None


# ------------------------------------------------------------------ the backoffice's forms


@pytest.mark.parametrize("country, rate", [("DK", "25"), ("PL", "23"), ("DE", "19")])
@pytest.mark.parametrize("page", ["admin:shop_product_add", "admin:shop_shippingmethod_add"])
def test_a_new_product_or_shipping_method_starts_with_the_sellers_standard_rate(
    admin_client, country, rate, page
):
    seller_in(country)
    _html, data = add_page_form(admin_client, reverse(page))
    assert typed_rate(data["tax_rate"]) == Decimal(rate)


def test_the_rate_field_names_the_sellers_country_and_rate(admin_client):
    seller_in("DK")
    html = admin_client.get(reverse("admin:shop_product_add")).content.decode()
    assert "Standard rate in Denmark: 25%." in html
    html = admin_client.get(reverse("admin:shop_shippingmethod_add")).content.decode()
    assert "For parcels whose goods have several VAT rates." in html  # its own text stays
    assert "Standard rate in Denmark: 25%." in html


def test_a_rate_in_the_link_wins_over_the_sellers_rate(admin_client):
    seller_in("DK")
    _html, data = add_page_form(admin_client, reverse("admin:shop_product_add") + "?tax_rate=12")
    assert typed_rate(data["tax_rate"]) == Decimal("12")


def test_a_seller_outside_the_table_keeps_the_model_default(admin_client):
    seller_in("CH")
    html, data = add_page_form(admin_client, reverse("admin:shop_product_add"))
    assert typed_rate(data["tax_rate"]) == Decimal("19")
    assert "Standard rate in" not in html


def test_a_danish_sellers_product_saved_unchanged_is_taxed_at_25_percent(admin_client):
    seller_in("DK")
    category = CategoryFactory()
    url = reverse("admin:shop_product_add")
    _html, data = add_page_form(admin_client, url)
    data.update(
        {"name_en": "Mug", "sku": "MUG-DK", "category": category.pk, "price": "80", "_save": "1"}
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Product.objects.get(sku="MUG-DK").tax_rate == Decimal("25.00")


def test_a_polish_sellers_shipping_method_saved_unchanged_is_taxed_at_23_percent(admin_client):
    seller_in("PL")
    url = reverse("admin:shop_shippingmethod_add")
    _html, data = add_page_form(admin_client, url)
    data.update({"name_en": "Kurier", "price": "15", "_save": "1"})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert ShippingMethod.objects.get(name_en="Kurier").tax_rate == Decimal("23.00")


# ------------------------------------------------------------------ the register's name


def imprint(client, language):
    with translation.override(language):
        url = reverse("shop:imprint")
    return " ".join(re.sub(r"<[^>]+>", " ", client.get(url).content.decode()).split())


def test_a_danish_sellers_imprint_names_the_cvr_number(client):
    seller_in("DK", commercial_register="13585628")
    assert "CVR no.: 13585628" in imprint(client, "en")
    assert "CVR-nr.: 13585628" in imprint(client, "da")
    assert "Commercial register" not in imprint(client, "en")


def test_a_polish_sellers_imprint_names_the_krs_number(client):
    seller_in("PL", commercial_register="0000123456")
    assert "KRS: 0000123456" in imprint(client, "pl")
    assert "KRS: 0000123456" in imprint(client, "en")


def test_a_german_sellers_imprint_still_names_the_handelsregister(client):
    seller_in("DE")
    assert "Handelsregister: Amtsgericht Hamburg HRB 123456" in imprint(client, "de")
    assert "Commercial register: Amtsgericht Hamburg HRB 123456" in imprint(client, "en")


def pdf_text(data):
    assert data.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


@pytest.mark.parametrize(
    "country, register, language, printed",
    [
        ("DK", "13585628", "da", "CVR-nr. 13585628"),
        ("DK", "13585628", "en", "CVR no. 13585628"),
        ("PL", "0000123456", "pl", "KRS 0000123456"),
        # a German entry names its court and register itself: no label, one line
        ("DE", "Amtsgericht Hamburg HRB 123456", "de", "GmbH · Amtsgericht Hamburg HRB 123456 ·"),
    ],
)
def test_the_invoice_and_credit_note_footers_name_the_sellers_register(
    make_order, invoice_payment, country, register, language, printed
):
    seller_in(country, commercial_register=register)
    order = make_order(language=language, payment_method_id=invoice_payment.pk)
    invoice = services.create_invoice(order)
    assert printed in pdf_text(pdf.invoice_pdf_bytes(invoice.pk))
    credit_note = services.create_credit_note(order, {order.lines.get().pk: 1}, reason="Damaged")
    assert printed in pdf_text(pdf.credit_note_pdf_bytes(credit_note.pk))


def test_the_register_is_named_only_where_the_entry_does_not_name_it():
    shop = ShopSettings(country="DK", commercial_register="13585628")
    assert (str(shop.register_label), shop.register_entry) == ("CVR no.", "CVR no. 13585628")
    shop = ShopSettings(country="AT", commercial_register="FN 123456a, Handelsgericht Wien")
    assert str(shop.register_label) == "Commercial register"
    assert shop.register_entry == "FN 123456a, Handelsgericht Wien"
    assert ShopSettings(country="PL", commercial_register="").register_entry == ""


def test_the_e_invoice_names_a_danish_register_entry_too(make_order, invoice_payment):
    from lxml import etree

    from orders import einvoice

    seller_in("DK", commercial_register="13585628")
    order = make_order(language="da", payment_method_id=invoice_payment.pk)
    xml = etree.fromstring(einvoice.invoice_xml(services.create_invoice(order)))
    ns = {
        "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    }
    notes = xml.xpath("//ram:IncludedNote/ram:Content/text()", namespaces=ns)
    assert any("CVR-nr. 13585628" in note for note in notes)
    description = xml.xpath("//ram:SellerTradeParty/ram:Description/text()", namespaces=ns)
    assert description == ["CVR-nr. 13585628"]
