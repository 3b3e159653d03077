"""E-invoices (EN 16931): the UN/CEFACT CII XML of every invoice and credit note, built with
drafthorse from the document's frozen snapshot and the figures of ``orders.vat``, embedded
into the PDF/A-3 as ``factur-x.xml`` with the Factur-X XMP by the factur-x library — one file
for people and machines (Factur-X / ZUGFeRD, profile EN 16931). German public buyers get the
same XML as XRechnung (CII syntax) when the invoice carries a buyer reference (Leitweg-ID).

Credit notes (issue 20 adds partial ones): a credit note is type 381 and references the
invoice it corrects. Its lines and amounts are the credit note's own where it has them (the
attributes named in ``CREDIT_NOTE_FIELDS``, in the invoice's snapshot format) and otherwise
the invoice's, i.e. a full credit.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import override
from drafthorse.models.accounting import ApplicableTradeTax, CategoryTradeTax
from drafthorse.models.document import Document
from drafthorse.models.note import IncludedNote
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.trade import TradeAllowanceCharge
from drafthorse.models.tradelines import LineItem

from shop.models import PaymentMethod
from shop.money import ZERO, format_money

from .seller import seller_of
from .vat import document_figures

PAYMENT_TERM_DAYS = 14
INVOICE, CREDIT_NOTE = "380", "381"
EN16931 = "urn:cen.eu:en16931:2017"
XRECHNUNG = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PEPPOL_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
FACTURX_FILENAME = "factur-x.xml"

# What a credit note may carry of its own (same names and formats as on Invoice); anything
# it lacks is taken from the invoice it corrects. ``paid_total`` is never inherited: what the
# buyer paid on the invoice is what a full credit note refunds.
CREDIT_NOTE_FIELDS = (
    "lines",
    "tax_rows",
    "shipping_total",
    "shipping_discount",
    "discount_total",
    "adjustment",
    "adjustment_text",
    "grand_total",
    "giftcard_total",
    "credit_total",
)
# What each credit-note line needs for its VAT category and unit, taken from its order line
# where an older credit note did not store it.
LINE_FACTS = ("category", "unit_code", "is_giftcard", "is_downloadable")


@dataclass
class Snapshot:
    """Everything a document prints, frozen: the invoice's snapshot, or a credit note's."""

    type_code: str
    number: str
    issue_date: object
    invoice: object
    credit_note: object
    lines: list
    tax_rows: list
    shipping_total: Decimal
    shipping_tax_rate: Decimal
    shipping_discount: Decimal
    shipping_method_name: str
    discount_total: Decimal
    voucher_code: str
    grand_total: Decimal
    giftcard_total: Decimal
    credit_total: Decimal
    paid_total: Decimal
    reverse_charge: bool
    # Goods shipped outside the EU: VAT category G (``orders.vat``).
    export_delivery: bool = False
    # A credit note's signed adjustment (below zero a deduction such as a restocking fee,
    # above zero an extra credit): an allowance or a charge of the XML, per VAT rate.
    adjustment: Decimal = ZERO
    adjustment_text: str = ""

    @property
    def is_credit_note(self):
        return self.type_code == CREDIT_NOTE


def invoice_snapshot(invoice):
    return Snapshot(
        type_code=INVOICE,
        number=invoice.number,
        issue_date=timezone.localdate(invoice.created),
        invoice=invoice,
        credit_note=None,
        lines=invoice.lines,
        tax_rows=invoice.tax_rows,
        shipping_total=invoice.shipping_total,
        shipping_tax_rate=invoice.shipping_tax_rate,
        shipping_discount=invoice.shipping_discount,
        shipping_method_name=invoice.shipping_method_name,
        discount_total=invoice.discount_total,
        voucher_code=invoice.voucher_code,
        grand_total=invoice.grand_total,
        giftcard_total=invoice.giftcard_total,
        credit_total=invoice.credit_total,
        paid_total=invoice.paid_total,
        reverse_charge=invoice.reverse_charge,
        export_delivery=invoice.export_delivery,
    )


def order_snapshot(order, lines):
    """An order not invoiced yet as its invoice will carry it (``orders.vat.order_figures``):
    the same lines and amounts ``create_invoice`` freezes, with the order's rate-level gross
    (``vat.discounted_gross_by_rate``) fixing each rate's discount share."""
    from .vat import discounted_gross_by_rate, line_snapshot

    return Snapshot(
        type_code=INVOICE,
        number="",
        issue_date=None,
        invoice=None,
        credit_note=None,
        lines=[line_snapshot(line, order.reverse_charge, order.export_delivery) for line in lines],
        tax_rows=discounted_gross_by_rate(order, lines),
        shipping_total=order.shipping_total,
        shipping_tax_rate=order.shipping_tax_rate,
        shipping_discount=order.shipping_discount,
        shipping_method_name="",
        discount_total=order.discount_total,
        voucher_code=order.voucher_code,
        grand_total=order.grand_total,
        giftcard_total=order.giftcard_total,
        credit_total=order.credit_total,
        paid_total=ZERO,
        reverse_charge=order.reverse_charge,
        export_delivery=order.export_delivery,
    )


def credit_note_snapshot(credit_note):
    """The credit note's own lines, VAT rows and amounts (a partial credit note credits
    exactly them); the parties, shipping method and rates are the invoice's. What it pays back
    through the payment method is what the buyer is owed, so nothing of it counts as prepaid:
    the amount due of a credit note is the credit not settled on a gift card or account
    credit."""
    invoice = credit_note.invoice
    base = invoice_snapshot(invoice)
    own = {}
    for name in CREDIT_NOTE_FIELDS:
        value = getattr(credit_note, name, None)
        own[name] = getattr(base, name) if value is None else value
    if not hasattr(credit_note, "shipping_discount"):
        # a credit note credits the shipping actually charged: no free-shipping allowance
        own["shipping_discount"] = ZERO
    if getattr(credit_note, "lines", None) and getattr(credit_note, "shipping_total", None) is None:
        # partial credit note with its own lines but no shipping of its own: no shipping
        own.update(shipping_total=ZERO, shipping_discount=ZERO)
    own["lines"] = _with_line_facts(own["lines"], invoice)
    base.__dict__.update(own)
    base.type_code = CREDIT_NOTE
    base.number = credit_note.number
    base.issue_date = timezone.localdate(credit_note.created)
    base.credit_note = credit_note
    base.paid_total = ZERO
    return base


def _with_line_facts(lines, invoice):
    """Credit-note lines with the VAT category, unit and kind of their order line."""
    missing = [
        line for line in lines if line.get("line") and not all(k in line for k in LINE_FACTS)
    ]
    if not missing:
        return lines
    from .models import OrderLine
    from .vat import line_snapshot

    order_lines = OrderLine.objects.filter(
        order_id=invoice.order_id, pk__in=[line["line"] for line in missing]
    ).in_bulk()
    completed = []
    for line in lines:
        order_line = order_lines.get(line.get("line"))
        if order_line is not None:
            facts = line_snapshot(order_line, invoice.reverse_charge, invoice.export_delivery)
            line = {**{k: facts[k] for k in LINE_FACTS}, **line}
        completed.append(line)
    return completed


def due_date(snapshot):
    return snapshot.issue_date + timedelta(days=PAYMENT_TERM_DAYS)


# ----------------------------------------------------------------------------------- XML


def _amount(value):
    return Decimal(value).quantize(Decimal("0.01"))


def _note(doc, text, subject=None):
    note = IncludedNote()
    note.content = text
    if subject:
        note.subject_code = subject
    doc.header.notes.add(note)


def build_xml(snapshot, language="en", xrechnung=False):
    """The CII XML (bytes) of a document snapshot, texts in ``language``."""
    with override(language):
        return _build(snapshot, xrechnung)


def invoice_xml(invoice, xrechnung=False):
    return build_xml(invoice_snapshot(invoice), invoice.order.language, xrechnung)


def credit_note_xml(credit_note, xrechnung=False):
    return build_xml(
        credit_note_snapshot(credit_note), credit_note.invoice.order.language, xrechnung
    )


def _build(snap, xrechnung):
    shop = seller_of(snap.credit_note, snap.invoice)
    invoice = snap.invoice
    figures = document_figures(snap)
    doc = Document()
    if xrechnung:
        doc.context.business_parameter.id = PEPPOL_BILLING
    doc.context.guideline_parameter.id = XRECHNUNG if xrechnung else EN16931
    doc.header.id = snap.number
    doc.header.type_code = snap.type_code
    doc.header.issue_date_time = snap.issue_date
    if snap.is_credit_note and snap.credit_note.reason:
        _note(doc, snap.credit_note.reason, "AAI")
    if not snap.is_credit_note and invoice.comment:
        _note(doc, invoice.comment, "AAI")
    register = " · ".join(
        part
        for part in [
            shop.register_entry,  # "CVR-nr. 13585628": named where the number alone says nothing
            f"{_('Managing director')}: {shop.managing_director}" if shop.managing_director else "",
        ]
        if part
    )
    if register:
        _note(doc, f"{shop.legal_name} · {register}", "REG")

    _parties(doc, snap, shop, invoice)
    for line in figures.lines:
        doc.trade.items.add(_line_item(line))
    _settlement(doc, snap, shop, invoice, figures)
    schema = None if xrechnung else "FACTUR-X_EN16931"
    return doc.serialize(schema=schema)


def _parties(doc, snap, shop, invoice):
    agreement = doc.trade.agreement
    if invoice.buyer_reference:
        agreement.buyer_reference = invoice.buyer_reference
    seller = agreement.seller
    seller.name = shop.legal_name
    seller.description = shop.register_entry
    seller.legal_organization.trade_name = shop.shop_name
    if shop.contact_email or shop.phone:
        seller.contact.person_name = shop.managing_director or shop.legal_name
        seller.contact.telephone.number = shop.phone
        seller.contact.email.address = shop.contact_email
    seller.address.line_one = shop.street
    seller.address.postcode = shop.postcode
    seller.address.city_name = shop.city
    seller.address.country_id = shop.country
    seller.electronic_address.uri_ID = ("EM", shop.contact_email)
    if shop.vat_id:
        seller.tax_registrations.add(TaxRegistration(id=("VA", shop.vat_id)))
    elif shop.tax_number:
        # A seller without a VAT ID (a small business): BR-CO-26 asks for a seller identifier
        # (BT-29), a legal registration (BT-30) or the VAT ID (BT-31) — the tax number
        # identifies it, as BT-29 beside its tax registration (BT-32).
        seller.id = shop.tax_number
    if shop.tax_number:
        seller.tax_registrations.add(TaxRegistration(id=("FC", shop.tax_number)))

    buyer = agreement.buyer
    if invoice.customer_number:
        buyer.id = invoice.customer_number
    buyer.name = invoice.buyer_company or invoice.buyer_name
    if invoice.buyer_company and invoice.buyer_name:
        buyer.contact.person_name = invoice.buyer_name
    buyer.address.line_one = invoice.buyer_street
    buyer.address.postcode = invoice.buyer_postcode
    buyer.address.city_name = invoice.buyer_city
    buyer.address.country_id = invoice.buyer_country
    buyer.electronic_address.uri_ID = ("EM", invoice.buyer_email)
    if invoice.buyer_vat_id:
        buyer.tax_registrations.add(TaxRegistration(id=("VA", invoice.buyer_vat_id)))
    if invoice.purchase_order_reference:
        agreement.buyer_order.issuer_assigned_id = invoice.purchase_order_reference
    agreement.seller_order.issuer_assigned_id = invoice.order_number

    delivery = doc.trade.delivery
    if invoice.delivery_country:
        delivery.ship_to.address.country_id = invoice.delivery_country
    # The time of supply as the PDF states it (Invoice.delivery_*): one day as the actual
    # delivery date (BT-72), several shipping days or the invoice's month as the invoicing
    # period (BG-14); invoices issued before it was recorded: the invoice date.
    start, end = invoice.delivery_from, invoice.delivery_to
    if start is None:
        delivery.event.occurrence = timezone.localdate(invoice.created)
    elif start == end:
        delivery.event.occurrence = start
    else:
        doc.trade.settlement.period.start = start
        doc.trade.settlement.period.end = end


def _line_item(line):
    item = LineItem()
    item.document.line_id = str(line.position)
    if line.sku:
        item.product.seller_assigned_id = line.sku
    item.product.name = line.name
    item.agreement.net.amount = line.net_unit
    item.delivery.billed_quantity = (Decimal(line.quantity), line.unit_code)
    item.settlement.trade_tax.type_code = "VAT"
    item.settlement.trade_tax.category_code = line.category
    item.settlement.trade_tax.rate_applicable_percent = line.rate
    item.settlement.monetary_summation.total_amount = _amount(line.net)
    return item


def _adjustment(adj, charge):
    ac = TradeAllowanceCharge()
    ac.indicator = charge
    ac.actual_amount = _amount(adj.net)
    ac.reason = adj.reason
    tax = CategoryTradeTax()
    tax.type_code = "VAT"
    tax.category_code = adj.category
    tax.rate_applicable_percent = adj.rate
    ac.trade_tax.add(tax)
    return ac


def _settlement(doc, snap, shop, invoice, figures):
    settlement = doc.trade.settlement
    settlement.currency_code = invoice.currency
    settlement.payment_reference = invoice.number
    if snap.is_credit_note:
        settlement.invoice_referenced_document.issuer_assigned_id = invoice.number
        settlement.invoice_referenced_document.issue_date_time = timezone.localdate(invoice.created)
    # A card invoice with an amount due: the authorization was voided before the invoice
    # (which captures an authorized payment), so the card will not be charged and the amount
    # is payable by bank transfer like an invoice.
    card_not_taken = (
        not snap.is_credit_note
        and invoice.payment_method_kind == PaymentMethod.Kind.CARD
        and figures.due_total > 0
    )
    _payment_means(settlement, shop, invoice, transfer=card_not_taken)
    for row in figures.vat_rows:
        tax = ApplicableTradeTax()
        tax.calculated_amount = _amount(row.tax)
        tax.type_code = "VAT"
        if row.exemption_text:
            tax.exemption_reason = row.exemption_text
        tax.basis_amount = _amount(row.basis)
        tax.category_code = row.category
        if row.exemption_code:
            tax.exemption_reason_code = row.exemption_code
        tax.rate_applicable_percent = row.rate
        settlement.trade_tax.add(tax)
    for allowance in figures.allowances:
        settlement.allowance_charge.add(_adjustment(allowance, charge=False))
    for charge in figures.charges:
        settlement.allowance_charge.add(_adjustment(charge, charge=True))
    due = figures.due_total
    terms = PaymentTerms()
    if snap.is_credit_note:
        terms.description = _credit_note_terms(snap.credit_note, invoice)
    elif card_not_taken:
        terms.description = _(
            "The card payment was not taken; payable by bank transfer within %(days)s days "
            "without deduction."
        ) % {"days": PAYMENT_TERM_DAYS}
        terms.due = due_date(snap)
    elif due > 0:
        terms.description = _("Payable within %(days)s days without deduction.") % {
            "days": PAYMENT_TERM_DAYS
        }
        terms.due = due_date(snap)
    else:
        terms.description = _("Paid in full; nothing left to pay.")
    settlement.terms.add(terms)
    total = settlement.monetary_summation
    total.line_total = _amount(figures.line_total)
    total.charge_total = _amount(figures.charge_total)
    total.allowance_total = _amount(figures.allowance_total)
    total.tax_basis_total = _amount(figures.tax_basis_total)
    total.tax_total = (_amount(figures.tax_total), invoice.currency)
    total.grand_total = _amount(figures.grand_total)
    total.prepaid_total = _amount(figures.prepaid_total)
    total.due_amount = _amount(due)


def _credit_note_terms(credit_note, invoice):
    """Where the money of a credit note goes, in the words of its PDF
    (``pdf/credit_note.html``), each part only where it is true. A note of a part-paid
    invoice both reduces what is still due and pays back part of what was received: saying
    only the first ("nothing is paid out") told the buyer's bookkeeping the opposite of the
    PDF beside it. A note that only reduces what is due keeps saying so."""
    currency = invoice.currency
    parts = []
    if credit_note.paid_total > 0:
        parts.append(_payout_text(credit_note, invoice))
    for amount, text in (
        (
            credit_note.giftcard_total,
            _("What you paid with a gift card is back on the card (%(amount)s)."),
        ),
        (
            credit_note.credit_back,
            _("What you paid with account credit is back in your customer account (%(amount)s)."),
        ),
        (
            credit_note.account_total,
            _(
                "The refund has been credited to your customer account as store credit "
                "(%(amount)s), usable for your next orders."
            ),
        ),
    ):
        if amount > 0:
            parts.append(text % {"amount": format_money(amount, currency)})
    due_reduction = credit_note.due_reduction
    if due_reduction > 0 and not parts:
        parts.append(
            _("Reduces the amount still due on invoice %(number)s; nothing is paid out.")
            % {"number": invoice.number}
        )
    elif due_reduction > 0 and credit_note.is_final:
        parts.append(
            _("The invoice had not been paid: nothing is owed any more, please do not pay it.")
        )
    elif due_reduction > 0:
        parts.append(
            _("The amount still due on invoice %(number)s is reduced by %(amount)s.")
            % {"number": invoice.number, "amount": format_money(due_reduction, currency)}
        )
    if not parts and not credit_note.grand_total and credit_note.discount_total:
        # goods a discount paid for entirely, credited at 0.00 (their return settled)
        parts.append(_("Nothing is paid back: the discount paid for the credited items."))
    return " ".join(parts) or _("Refunded by the payment method used; nothing to pay.")


def _payout_text(credit_note, invoice):
    """What the note pays back through the payment method: the sentence the PDF, the
    e-mails and the order pages share (``emails/_refund_payout.txt``), rendered as they
    render it (the values are marked safe: this is text for the XML, not HTML)."""
    done_on = ""
    if credit_note.refunded_at is not None:
        done_on = date_format(timezone.localtime(credit_note.refunded_at), "DATE_FORMAT")
    context = {
        "amount": format_money(credit_note.paid_total, invoice.currency),
        "method": invoice.payment_method_name,
        "kind": invoice.payment_method_kind,
        "done_on": done_on,
    }
    text = render_to_string(
        "emails/_refund_payout.txt", {key: mark_safe(value) for key, value in context.items()}
    )
    return " ".join(text.split())


def _payment_means(settlement, shop, invoice, transfer=False):
    means = PaymentMeans()
    kind = invoice.payment_method_kind
    if transfer or kind in (PaymentMethod.Kind.PREPAYMENT, PaymentMethod.Kind.INVOICE):
        means.type_code = "58"  # SEPA credit transfer
        if not transfer:  # (the card's name would contradict the code)
            means.information.add(invoice.payment_method_name)
        means.payee_account.iban = shop.iban
        means.payee_account.account_name = shop.legal_name
        if shop.bic:
            means.payee_institution.bic = shop.bic
    elif kind == PaymentMethod.Kind.CARD:
        means.type_code = "54"  # credit card
        means.information.add(invoice.payment_method_name)
    elif kind == PaymentMethod.Kind.COD:
        means.type_code = "10"  # in cash
        means.information.add(invoice.payment_method_name)
    else:
        means.type_code = "1"  # not defined
        means.information.add(invoice.payment_method_name)
    settlement.payment_means.add(means)


def documents_issued(date_from, date_to):
    """Invoices and credit notes issued from ``date_from`` to ``date_to`` (local dates, both
    included), oldest first: the accountant's export of a period."""
    from .models import CreditNote, Invoice

    start, end = _day_start(date_from), _day_start(date_to + timedelta(days=1))
    invoices = Invoice.objects.filter(created__gte=start, created__lt=end).select_related("order")
    credit_notes = CreditNote.objects.filter(created__gte=start, created__lt=end).select_related(
        "invoice__order"
    )
    return list(invoices.order_by("year", "sequence")), list(
        credit_notes.order_by("year", "sequence")
    )


def _day_start(day):
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(day, time.min))


def xml_response(xml_bytes, filename):
    from django.http import HttpResponse

    response = HttpResponse(xml_bytes, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ------------------------------------------------------------------------- Factur-X PDF


def embed(pdf_bytes, xml_bytes, snapshot, language):
    """The Factur-X PDF/A-3: ``pdf_bytes`` (WeasyPrint's PDF/A-3b) with ``xml_bytes`` as
    ``factur-x.xml`` and the Factur-X XMP metadata."""
    from facturx import generate_from_binary

    shop = seller_of(snapshot.credit_note, snapshot.invoice)
    with override(language):
        title = (
            _("Credit note %(number)s") if snapshot.is_credit_note else _("Invoice %(number)s")
        ) % {"number": snapshot.number}
    return generate_from_binary(
        pdf_bytes,
        xml_bytes,
        flavor="factur-x",
        level="en16931",
        check_xsd=False,  # drafthorse validated it against the Factur-X EN 16931 schema
        pdf_metadata={
            "author": shop.legal_name,
            "keywords": "Factur-X, ZUGFeRD, EN 16931",
            "title": f"{shop.legal_name}: {title}",
            "subject": title,
        },
        lang=language,
    )
