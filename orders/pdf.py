"""Invoice, credit-note and packing-slip PDFs. The ``*_pdf_bytes(id)`` functions are also the outbox's
attachment generators, so they take ids (JSON-serialisable) and render at send time."""

from datetime import timedelta

from shop.models import PaymentMethod, ShopSettings
from shop.pdf import render_pdf

from .models import CreditNote, Invoice, Shipment

PAYMENT_TERM_DAYS = 14


def sender_line(shop):
    """The small return-address line above the window of a window envelope."""
    address = [part.strip() for part in shop.address.splitlines() if part.strip()]
    return " · ".join([shop.legal_name, *address[:2]])


def invoice_context(invoice):
    order = invoice.order
    return {
        "sender_line": sender_line(ShopSettings.load()),
        "invoice": invoice,
        "order": order,
        "lines": invoice.typed_lines,
        "tax_rows": invoice.typed_tax_rows,
        "due_date": invoice.created + timedelta(days=PAYMENT_TERM_DAYS),
        "term_days": PAYMENT_TERM_DAYS,
        "bank_transfer": invoice.payment_method_kind
        in (PaymentMethod.Kind.PREPAYMENT, PaymentMethod.Kind.INVOICE),
        "is_paid": order.payment_status in ("paid", "refunded"),
    }


def render_invoice(invoice):
    return render_pdf("pdf/invoice.html", invoice_context(invoice), language=invoice.order.language)


def invoice_pdf_bytes(invoice_id):
    invoice = Invoice.objects.select_related("order").get(pk=invoice_id)
    return render_invoice(invoice)


def credit_note_context(credit_note):
    """The invoice's frozen content, printed as a credit note: same lines, every amount
    credited (the template puts a minus sign before each one)."""
    return {**invoice_context(credit_note.invoice), "credit_note": credit_note, "sign": "−"}


def render_credit_note(credit_note):
    return render_pdf(
        "pdf/invoice.html",
        credit_note_context(credit_note),
        language=credit_note.invoice.order.language,
    )


def credit_note_pdf_bytes(credit_note_id):
    credit_note = CreditNote.objects.select_related("invoice__order").get(pk=credit_note_id)
    return render_credit_note(credit_note)


def packing_slip_context(shipment):
    return {
        "sender_line": sender_line(ShopSettings.load()),
        "shipment": shipment,
        "order": shipment.order,
        "lines": list(shipment.lines.select_related("order_line")),
        "tracking": list(shipment.tracking.all()),
    }


def render_packing_slip(shipment):
    return render_pdf(
        "pdf/packing_slip.html", packing_slip_context(shipment), language=shipment.order.language
    )


def packing_slip_pdf_bytes(shipment_id):
    shipment = Shipment.objects.select_related("order").get(pk=shipment_id)
    return render_packing_slip(shipment)
