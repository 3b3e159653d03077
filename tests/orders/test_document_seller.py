"""An issued invoice or credit note keeps the seller it named (§ 14 UStG, GoBD): a later change
of the legal name, address, VAT ID or bank account in the settings applies to new documents;
reprints, downloads and the embedded e-invoice of older ones stay as they were issued."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from orders import einvoice, pdf, services
from orders.models import CreditNote, Invoice
from shop.models import ShopSettings

pytestmark = pytest.mark.django_db

OLD_IBAN = "DE34 2005 0550 1234 5678 90"
NEW_IBAN = "DE02 1203 0000 0000 2020 51"


def text_of(data):
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.replace("\xa0", " ").split())


def move_the_shop():
    shop = ShopSettings.load()
    shop.legal_name = "Nordlicht Neu GmbH"
    shop.street = "Neuer Weg 1"
    shop.iban = NEW_IBAN.replace(" ", "")
    shop.vat_id = "DE136695976"
    shop.save()


def test_an_issued_invoice_keeps_its_seller_after_the_settings_change(make_order, invoice_payment):
    order = make_order(payment_method_id=invoice_payment.pk)
    invoice = services.create_invoice(order)
    assert Invoice.objects.get(pk=invoice.pk).seller["legal_name"] == "Nordlicht Handels GmbH"
    move_the_shop()

    text = text_of(pdf.invoice_pdf_bytes(invoice.pk))
    assert "Nordlicht Handels GmbH" in text and "Hafenstraße 12" in text
    assert OLD_IBAN in text and "DE123456788" in text
    assert "Nordlicht Neu GmbH" not in text and NEW_IBAN not in text
    xml = einvoice.invoice_xml(invoice).decode()
    assert "Nordlicht Handels GmbH" in xml and "DE34200505501234567890" in xml
    assert "Nordlicht Neu" not in xml and "DE136695976" not in xml

    # A credit note issued now names the seller as it is now.
    services.refund_order(order)
    note = CreditNote.objects.get(invoice=invoice)
    text = text_of(pdf.credit_note_pdf_bytes(note.pk))
    assert "Nordlicht Neu GmbH" in text and "Neuer Weg 1" in text
    assert "DE136695976" in einvoice.credit_note_xml(note).decode()


def test_a_new_invoice_names_the_seller_as_the_settings_say_now(make_order):
    move_the_shop()
    invoice = services.create_invoice(make_order())
    text = text_of(pdf.invoice_pdf_bytes(invoice.pk))
    assert "Nordlicht Neu GmbH" in text and "DE136695976" in text


def test_the_customers_download_is_the_document_as_issued(client, make_order, customer):
    order = make_order(customer=customer, email=customer.email)
    services.create_invoice(order)
    move_the_shop()
    client.force_login(customer)
    response = client.get(reverse("orders:account_invoice_pdf", args=[order.number]))
    assert "Nordlicht Handels GmbH" in text_of(response.content)


def test_documents_from_before_sellers_were_stored_name_the_current_settings(make_order):
    invoice = services.create_invoice(make_order())
    Invoice.objects.filter(pk=invoice.pk).update(seller={})
    move_the_shop()
    assert "Nordlicht Neu GmbH" in text_of(pdf.invoice_pdf_bytes(invoice.pk))
