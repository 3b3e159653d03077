"""Invoice, credit-note and packing-slip PDFs. The ``*_pdf_bytes(id)`` functions are also the
outbox's attachment generators, so they take ids (JSON-serialisable) and render at send time.

Invoices and credit notes are Factur-X e-invoices (``orders.einvoice``): WeasyPrint renders
them as PDF/A-3b and the CII XML of the same figures is embedded as ``factur-x.xml`` — the
file that is printed, e-mailed and downloaded everywhere.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from shop.models import PaymentMethod, ShopSettings
from shop.money import ZERO
from shop.pdf import render_pdf

from . import einvoice, extensions
from .einvoice import PAYMENT_TERM_DAYS
from .models import CreditNote, Invoice, Order, Shipment
from .seller import seller_of
from .vat import document_figures

# Factur-X needs PDF/A-3; WeasyPrint writes one variant per file, so these are tagged PDF/A-3b
# (structure tree, /Lang, title) rather than PDF/UA (issue 27, README "Accessibility").
PDF_A3 = "pdf/a-3b"


def sender_line(shop):
    """The small return-address line above the window of a window envelope."""
    return " · ".join([shop.legal_name, shop.street, f"{shop.postcode} {shop.city}"])


PAID = (*Order.PAID_STATUSES, Order.PaymentStatus.REFUNDED)
BANK_TRANSFER = (PaymentMethod.Kind.PREPAYMENT, PaymentMethod.Kind.INVOICE)


@dataclass
class PaymentTerms:
    """What the invoice says about its payment, true for the order's payment state when it is
    printed (the PDF is rendered anew each time). ``state``:

    - ``paid``: the payment method has collected (a later refund is the credit notes' part);
    - ``settled``: gift card and account credit paid it all;
    - ``credited``: credit notes cancelled everything that was due before it was paid;
    - ``transfer``: prepayment or pay on invoice, to be transferred;
    - ``card_not_taken``: the card authorization was voided, so the card will not be charged:
      the amount is open, to be transferred like an invoice;
    - ``collect``: cash on delivery (or a card authorization not captured yet).

    ``open``: what is still to pay, the invoice's amount due less what credit notes
    cancelled of it before the payment (``credited``).

    ``since_issue``: the amount the invoice stated as due has been paid or reduced since it
    was issued. Its totals stay as issued; the amount row then says it was due on the invoice
    date, so a reprint does not ask for an amount its payment box calls paid."""

    state: str
    open: Decimal = ZERO
    credited: Decimal = ZERO
    # part payments that arrived after the invoice was issued (a partly paid order)
    received: Decimal = ZERO
    since_issue: bool = False

    @property
    def transfer(self):
        return self.state in ("transfer", "card_not_taken")


def payment_terms(invoice, order, figures):
    due = figures.due_total
    if order.payment_status in PAID and order.paid_for_order:
        return PaymentTerms("paid", since_issue=due > 0)
    if due <= 0:
        return PaymentTerms("settled")
    open_amount = min(due, order.balance_due)
    # What came off the invoice's amount since: part payments received after it was issued
    # (those before are its ``paid_total``), the rest by credit notes.
    received = max(ZERO, min(due - open_amount, order.received_total - invoice.paid_total))
    credited = due - open_amount - received
    if open_amount <= 0:
        return PaymentTerms("credited", credited=credited, since_issue=True)
    if invoice.payment_method_kind in BANK_TRANSFER:
        state = "transfer"
    elif (
        invoice.payment_method_kind == PaymentMethod.Kind.CARD
        and order.payment_status != Order.PaymentStatus.AUTHORIZED
    ):
        state = "card_not_taken"
    else:
        state = "collect"
    return PaymentTerms(
        state,
        open=open_amount,
        credited=credited,
        received=received,
        since_issue=credited > 0 or received > 0,
    )


def document_context(snapshot):
    """What the invoice template prints: the snapshot's EN 16931 figures (the same the XML
    carries), the payment terms and the shop's letterhead."""
    invoice = snapshot.invoice
    order = invoice.order
    figures = document_figures(snapshot)
    seller = seller_of(invoice)
    return {
        "shop": seller,  # the letterhead as issued, not as the settings say now
        "sender_line": sender_line(seller),
        "doc": snapshot,
        "invoice": invoice,
        "order": order,
        "figures": figures,
        "due_date": einvoice.due_date(snapshot),
        "term_days": PAYMENT_TERM_DAYS,
        "bank_transfer": invoice.payment_method_kind in BANK_TRANSFER,
        "is_paid": order.payment_status in PAID and order.paid_for_order,
        "payment": payment_terms(invoice, order, figures),
        "xrechnung": bool(invoice.buyer_reference),
    }


def invoice_context(invoice):
    return document_context(einvoice.invoice_snapshot(invoice))


def _factur_x(context, language):
    snapshot = context["doc"]
    pdf = render_pdf(
        "pdf/invoice.html", context, language=language, pdf_variant=PDF_A3, pdf_tags=True
    )
    xml = einvoice.build_xml(snapshot, language)
    return einvoice.embed(pdf, xml, snapshot, language)


def render_invoice(invoice):
    language = invoice.order.language
    with translation.override(language):  # the figures carry texts (shipping, exemptions)
        context = invoice_context(invoice)
    return _factur_x(context, language)


def invoice_pdf_bytes(invoice_id):
    invoice = Invoice.objects.select_related("order").get(pk=invoice_id)
    return render_invoice(invoice)


def _credit_note_figures(credit_note):
    """The credit note's figures as its e-invoice states them, laid out like the invoice's.
    A note that carries the balance of earlier adjustments (an adjustment without a text of
    its own) names it so, not "Adjustment"."""
    figures = document_figures(einvoice.credit_note_snapshot(credit_note))
    if credit_note.adjustment and not credit_note.adjustment_text:
        generic, balance = _("Adjustment"), _("Balance of earlier adjustments")
        for item in figures.charges + figures.allowances:
            if item.reason == generic:
                item.reason = balance
        for line in figures.lines:
            if line.name == generic and not line.sku:
                line.name = balance
    return figures


def credit_note_context(credit_note):
    """The credit note's lines and amounts (``pdf/credit_note.html``) as its e-invoice states
    them (``figures``: net unit prices, net amounts, discount and shipping as the invoice
    prints them), with the invoice it corrects and where the money goes."""
    invoice = credit_note.invoice
    seller = seller_of(credit_note, invoice)
    return {
        "shop": seller,
        "sender_line": sender_line(seller),
        "credit_note": credit_note,
        "invoice": invoice,
        "order": invoice.order,
        # the lines, charges, allowances and VAT rows per category and rate with their
        # exemption texts: the embedded XML's
        "figures": _credit_note_figures(credit_note),
        "sign": "−",
        # what the apps above say about the note (the gift cards it made invalid)
        "document_notes": extensions.credit_note_notes(credit_note),
    }


def render_credit_note(credit_note):
    """A Factur-X hybrid like the invoice: the credit note's PDF/A-3 with its CII XML (type
    381, referencing the invoice) embedded."""
    language = credit_note.invoice.order.language
    with translation.override(language):
        context = credit_note_context(credit_note)
        snapshot = einvoice.credit_note_snapshot(credit_note)
    pdf = render_pdf(
        "pdf/credit_note.html", context, language=language, pdf_variant=PDF_A3, pdf_tags=True
    )
    xml = einvoice.build_xml(snapshot, language)
    return einvoice.embed(pdf, xml, snapshot, language)


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
    # The trader's address names the country: in the order's language, also in a worker
    # or a "Send again" that has no language of its own.
    with translation.override(order.language):
        context = {"order": order, **information(order)}
    return render_pdf("pdf/withdrawal_information.html", context, language=order.language)
