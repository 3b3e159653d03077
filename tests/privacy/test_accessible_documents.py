"""Accessible documents (issue 27): the personal-data report and packing slips are tagged
PDF/UA-1 files; invoices and credit notes stay Factur-X PDF/A-3 and are tagged as well; every
document carries its language and title."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from orders import pdf, services
from orders.models import Order

pytestmark = pytest.mark.django_db


def accessibility_facts(data):
    """What a screen reader and a PDF/UA or PDF/A checker look at first."""
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode() if "/Metadata" in root else ""
    compact = xmp.replace(" ", "")
    return {
        "marked": bool(root.get("/MarkInfo", {}).get("/Marked")),
        "structure": "/StructTreeRoot" in root,
        "lang": root.get("/Lang"),
        "title": reader.metadata.title if reader.metadata else None,
        "shows_title": bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle")),
        "pdf_ua": "pdfuaid:part>1<" in compact or 'pdfuaid:part="1"' in compact,
        "pdf_a3": "pdfaid:part>3<" in compact or 'pdfaid:part="3"' in compact,
    }


def test_personal_data_report_is_a_tagged_pdf_ua(admin_client, erika, make_order):
    make_order(customer=erika, email=erika.email)
    response = admin_client.get(
        reverse("admin:privacy_subject_report", args=[f"customer:{erika.pk}"])
    )
    facts = accessibility_facts(response.content)
    assert facts == {
        "marked": True,
        "structure": True,
        "lang": "en",
        "title": "Personal data report",
        "shows_title": True,
        "pdf_ua": True,
        "pdf_a3": False,
    }


def test_packing_slip_is_a_tagged_pdf_ua_in_the_order_language(make_order, product):
    order = make_order({product.pk: 1}, language="de")
    shipment = services.create_shipment(order, {order.lines.get().pk: 1})
    facts = accessibility_facts(pdf.packing_slip_pdf_bytes(shipment.pk))
    assert facts["marked"] and facts["structure"] and facts["pdf_ua"] and facts["shows_title"]
    assert facts["lang"] == "de"
    assert facts["title"] == f"Lieferschein {shipment.number}"


def test_invoice_and_credit_note_keep_pdf_a3_and_are_tagged(make_order):
    order = make_order()
    invoice = services.create_invoice(order)
    invoice_facts = accessibility_facts(pdf.invoice_pdf_bytes(invoice.pk))
    services.refund_order(Order.objects.get(pk=order.pk), reason="Returned unopened.")
    credit_note = invoice.credit_notes.get()
    credit_facts = accessibility_facts(pdf.credit_note_pdf_bytes(credit_note.pk))
    for facts, title in [
        (invoice_facts, f"Invoice {invoice.number}"),
        (credit_facts, f"Credit note {credit_note.number}"),
    ]:
        # PDF/A-3 wins (Factur-X); the file still has its structure, language and title.
        assert facts["pdf_a3"] and not facts["pdf_ua"]
        assert facts["marked"] and facts["structure"]
        assert facts["lang"] == "en"
        assert facts["title"].endswith(title)
