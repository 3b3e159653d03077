"""A typical invoice (one to four lines) is one A4 page: the closing sentences (the
delivery-date note, the Factur-X note) no longer spill onto a page 2 of their own. A long
invoice still breaks, but its last page never holds those sentences alone. Credit notes
share the layout."""

import io
from decimal import Decimal

import pytest
from django.utils import translation
from pypdf import PdfReader

from orders import pdf, services
from shop.models import ShopSettings
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def pages(data):
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(autouse=True)
def shop_details():
    """The seller block as a real shop fills it (the demo shop's), not the empty defaults."""
    shop = ShopSettings.load()
    for field, value in {
        "shop_name": "Nordlicht Shop",
        "legal_name": "Nordlicht Handels GmbH",
        "vat_id": "DE123456788",
        "tax_number": "22/815/08154",
        "commercial_register": "Amtsgericht Hamburg HRB 123456",
        "managing_director": "Anna Nordmann",
        "contact_email": "service@example.com",
        "phone": "+49 40 1234567",
        "street": "Hafenstraße 12",
        "postcode": "20457",
        "city": "Hamburg",
        "country": "DE",
        "bank_name": "Hamburger Sparkasse",
        "iban": "DE34200505501234567890",
        "bic": "HASPDEHHXXX",
    }.items():
        setattr(shop, field, value)
    shop.save()


def _products(n):
    names = [
        "Lakritz mit Meersalz",
        "Nordische Beerenmarmelade (Preiselbeere und Moltebeere)",
        "Geschenkbox Skandinavien, groß",
        "Teekanne aus Steingut, handgemacht",
    ]
    rates = [Decimal("7.00"), Decimal("7.00"), Decimal("19.00"), Decimal("19.00")]
    return {
        ProductFactory(
            name=names[i % 4], price=Decimal("12.90") + i, tax_rate=rates[i % 4], stock=100
        ).pk: 2
        for i in range(n)
    }


def _invoice(make_order, payment, lines, language="de", **extra):
    order = make_order(
        _products(lines),
        payment_method_id=payment.pk,
        language=language,
        billing={
            "first_name": "Erika",
            "last_name": "Mustermann",
            "company": "Mustermann Feinkost GmbH",
            "street": "Musterstraße 1",
            "postcode": "10115",
            "city": "Berlin",
            "country": "DE",
        },
        **extra,
    )
    return order, services.create_invoice(order)


@pytest.mark.parametrize("language", ["de", "pl", "da", "en"])
def test_a_typical_invoice_of_three_lines_on_invoice_is_one_page(
    make_order, invoice_payment, language
):
    _order, invoice = _invoice(make_order, invoice_payment, 3, language)
    text = pages(pdf.render_invoice(invoice))
    assert len(text) == 1, text[1:]
    with translation.override(language):
        # the time of supply: the invoice's month while the goods are still to ship
        period = translation.gettext("Delivery period")
    assert period in text[0]
    assert "Factur-X" in text[0]


@pytest.mark.parametrize("lines", [1, 2, 4])
def test_invoices_of_one_to_four_lines_are_one_page(make_order, invoice_payment, lines):
    _order, invoice = _invoice(make_order, invoice_payment, lines, "pl")
    assert len(pages(pdf.render_invoice(invoice))) == 1


def test_a_paid_four_line_invoice_is_one_page(make_order, card_payment):
    order, invoice = _invoice(make_order, card_payment, 4, "de")
    assert len(pages(pdf.render_invoice(invoice))) == 1


def test_a_long_invoice_does_not_leave_the_closing_sentences_alone(make_order, invoice_payment):
    order, invoice = _invoice(make_order, invoice_payment, 14, "de")
    text = pages(pdf.render_invoice(invoice))
    assert len(text) >= 2
    last = text[-1]
    assert "Factur-X" in last
    # the payment box travels with the closing sentences
    assert "Zahlungsart" in last or "Payment method" in last


def test_a_credit_note_of_a_three_line_invoice_is_one_page(make_order, invoice_payment):
    order, _invoice_ = _invoice(make_order, invoice_payment, 3, "de")
    note = services.create_credit_note(
        order, {line.pk: 1 for line in order.lines.all()}, reason="Bruch beim Versand"
    )
    assert len(pages(pdf.render_credit_note(note))) == 1
