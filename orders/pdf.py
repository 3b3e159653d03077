"""Invoice, credit-note and packing-slip PDFs. The ``*_pdf_bytes(id)`` functions are also the outbox's
attachment generators, so they take ids (JSON-serialisable) and render at send time."""

from datetime import timedelta

from shop.models import PaymentMethod, ShopSettings
from shop.pdf import render_pdf

from .models import CreditNote, Invoice, Order, Shipment

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
        "is_paid": order.payment_status in ("paid", "partly_refunded", "refunded"),
    }


def render_invoice(invoice):
    return render_pdf("pdf/invoice.html", invoice_context(invoice), language=invoice.order.language)


def invoice_pdf_bytes(invoice_id):
    invoice = Invoice.objects.select_related("order").get(pk=invoice_id)
    return render_invoice(invoice)


def credit_note_context(credit_note):
    """The credit note's own lines, amounts and VAT rows (``pdf/credit_note.html``), with the
    invoice it corrects and where the money goes."""
    invoice = credit_note.invoice
    return {
        "sender_line": sender_line(ShopSettings.load()),
        "credit_note": credit_note,
        "invoice": invoice,
        "order": invoice.order,
        "lines": credit_note.typed_lines,
        "tax_rows": credit_note.typed_tax_rows,
        # a deduction reduces the credit: printed without the credit's minus sign
        "adjustment_deducted": -credit_note.adjustment if credit_note.adjustment < 0 else None,
    }


def render_credit_note(credit_note):
    return render_pdf(
        "pdf/credit_note.html",
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


def withdrawal_information_pdf_bytes(order_id):
    """The terms and conditions, the withdrawal instructions and the model withdrawal form
    for an order (attached to the order confirmation: a durable medium)."""
    from .services.withdrawals import information

    order = Order.objects.select_related("payment_method").get(pk=order_id)
    return render_pdf(
        "pdf/withdrawal_information.html",
        {"order": order, **information(order)},
        language=order.language,
    )
