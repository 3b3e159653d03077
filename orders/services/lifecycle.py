"""The order lifecycle (SPEC S3): invoices, payment, shipments, cancellation, refunds,
comments, downloads and feed tokens. The only place that changes an order's state."""

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, override

from customers import loyalty
from shop import events
from shop.fields import parse_whole_number
from shop.mail import queue_email
from shop.models import Product, ShopSettings
from shop.money import format_money, money

from .. import emails, signals, vat
from ..errors import DownloadError, OrderError
from ..models import (
    ZERO,
    CreditNote,
    DownloadLink,
    FeedToken,
    Invoice,
    InvoiceCounter,
    Order,
    OrderComment,
    OrderLine,
    Shipment,
    ShipmentLine,
    TrackingNumber,
)
from ..seller import seller_record

# --------------------------------------------------------------------------------------------
# Order lifecycle (SPEC S3). Every function locks the order row first, checks the transition,
# and changes nothing if it raises. The status is derived here and nowhere else.
# --------------------------------------------------------------------------------------------

FINAL_STATES = (Order.Status.CANCELED, Order.Status.CLOSED)
# The operator's note printed on the invoice: a remark of a few lines, not a letter.
INVOICE_COMMENT_MAX = 1000
# Why an order is canceled, in the operator's words: a few sentences for the history.
CANCEL_REASON_MAX = 500


@dataclass(frozen=True)
class CancelReason:
    """A quick reason the operator can pick for a cancellation: its ``label`` on the
    confirmation page, its sentence in the order's history (``event``, a msgid: each reader
    reads it in their language) and what the customer reads when they are told the reason
    (``customer``, in the order's language)."""

    label: str
    event: str
    customer: str


CANCEL_REASONS = {
    "customer_asked": CancelReason(
        gettext_lazy("Customer asked"),
        gettext_noop("Reason: the customer asked for it."),
        gettext_lazy("at your request."),
    ),
    "out_of_stock": CancelReason(
        gettext_lazy("Out of stock"),
        gettext_noop("Reason: out of stock."),
        gettext_lazy("the items are out of stock."),
    ),
    "payment_not_received": CancelReason(
        gettext_lazy("Payment not received"),
        gettext_noop("Reason: payment not received."),
        gettext_lazy("we have not received your payment."),
    ),
    "suspected_fraud": CancelReason(
        gettext_lazy("Suspected fraud"),
        gettext_noop("Reason: suspected fraud."),
        gettext_lazy("we could not verify the order."),
    ),
}


@dataclass
class LineProgress:
    line: OrderLine
    shipped: int
    # Units credited by credit notes, and of them those cancelled before they were shipped
    # (they are not shipped any more; orders.services.refunds).
    credited: int = 0
    cancelled: int = 0

    @property
    def remaining(self):
        if not self.line.needs_shipping:
            return 0
        return max(0, self.line.quantity - self.shipped - self.cancelled)

    @property
    def creditable(self):
        """Units credit notes may still credit."""
        return max(0, self.line.quantity - self.credited)


@dataclass
class OrderState:
    """What has happened to an order so far, computed from its (prefetched) relations."""

    order: Order
    invoice: object
    progress: list
    shipment_count: int

    @property
    def invoiced(self):
        return self.invoice is not None

    @property
    def shipped_any(self):
        return self.shipment_count > 0

    @property
    def fully_shipped(self):
        return all(p.remaining == 0 for p in self.progress)

    @property
    def final(self):
        return self.order.status in FINAL_STATES

    def derived_status(self):
        if self.final:
            return self.order.status
        if self.invoiced and self.fully_shipped:
            return Order.Status.COMPLETE
        if self.invoiced or self.shipped_any:
            return Order.Status.PROCESSING
        return Order.Status.PENDING

    # Which operator actions the order allows right now (buttons in the backoffice).
    @property
    def can_invoice(self):
        return not self.final and not self.invoiced

    @property
    def can_ship(self):
        return not self.final and not self.fully_shipped

    @property
    def can_mark_paid(self):
        return (
            not self.final
            and not self.order.is_paid
            and (self.order.payment_status != Order.PaymentStatus.AUTHORIZED)
        )

    @property
    def can_record_payment(self):
        """Money that arrives when nothing is due (canceled, closed or paid already) is
        recorded as owed back (``record_payment_owed_back``)."""
        return owes_nothing(self.order)

    @property
    def can_capture(self):
        return not self.final and self.order.payment_status == Order.PaymentStatus.AUTHORIZED

    @property
    def can_void(self):
        return self.can_capture

    @property
    def can_cancel(self):
        """Nothing invoiced or shipped: a plain cancellation; or, invoiced but neither
        paid nor shipped, a cancellation with a credit note (``cancel_with_credit_note``)."""
        if self.invoiced:
            return self.can_cancel_with_credit_note
        return not self.final and not self.shipped_any

    @property
    def can_cancel_with_credit_note(self):
        """Invoiced, and nothing paid (not even in part) or shipped: the clerk cancels it
        with a credit note for the whole invoice. A paid order is refunded by Payments."""
        return (
            not self.final
            and self.invoiced
            and not self.shipped_any
            and unpaid_for_cancellation(self.order)
        )

    @property
    def can_refund(self):
        return not self.final and self.invoiced

    @property
    def can_credit(self):
        """A partial refund: some goods or shipping are left to credit."""
        return self.can_refund and self.order.credit_remaining > 0


def credited_units(credit_notes):
    """{order line id: (units credited, of them cancelled before shipping)}."""
    units = defaultdict(lambda: [0, 0])
    for note in credit_notes:
        for line in note.lines:
            if line.get("line") is not None:
                units[line["line"]][0] += line["quantity"]
                units[line["line"]][1] += line.get("unshipped", 0)
    return units


def order_state(order):
    """Uses ``order.lines``, ``order.invoices__credit_notes`` and ``order.shipments__lines`` —
    prefetch them for pages; inside services they are read fresh."""
    shipments = list(order.shipments.all())
    shipped = defaultdict(int)
    for shipment in shipments:
        for sl in shipment.lines.all():
            shipped[sl.order_line_id] += sl.quantity
    credited = credited_units(order.credit_notes)
    progress = [
        LineProgress(line, shipped[line.pk], *credited.get(line.pk, (0, 0)))
        for line in order.lines.all()
    ]
    return OrderState(order, order.invoice, progress, len(shipments))


def typed_units(line_id, units):
    """One entry of ``{order line id: units}`` as a form posts it ("2", "" for none) or code
    passes it: ``(line id, units)`` as whole numbers, else ``OrderError``. "1_0" is refused
    (``int()`` read it as 10), as is "1.000" (shop.fields.parse_whole_number)."""
    try:
        return parse_whole_number(line_id), parse_whole_number(units or 0)
    except ValueError:
        raise OrderError(_("Quantities must be whole numbers.")) from None


def _lock(order):
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("payment_method", "shipping_method")
        .get(pk=order.pk)
    )


def _finish(original, locked):
    """Store the derived status and mirror the new state onto the caller's instance."""
    status = order_state(locked).derived_status()
    if status != locked.status:
        locked.status = status
        locked.save(update_fields=["status"])
    for name in (
        "status",
        "payment_status",
        "paid_at",
        "overpaid_total",
        "overpaid_returned_at",
        "overpaid_returned_total",
        "received_total",
        "payout_due",
    ):
        setattr(original, name, getattr(locked, name))
    return locked


def _event(order, *parts, user=None):
    """A lifecycle event in the order's history: ``parts`` made by ``events.part`` (its
    sentences untranslated, so that each reader gets it in their language)."""
    parts = [p for p in parts if p]
    return OrderComment.objects.create(
        order=order, author=user, text=events.text(parts), message=parts, is_event=True
    )


def _refuse_if_final(order, action):
    if order.status in FINAL_STATES:
        raise OrderError(
            _("Order %(number)s is %(status)s and cannot be %(action)s.")
            % {"number": order.number, "status": order.get_status_display(), "action": action}
        )


def lock_for_release(order, products=(), final=True):
    """Take the locks a cancellation or credit note needs, in the placement's order
    (``signals.order_releasing``): the higher apps' rows first, the stock rows of
    ``products`` last."""
    signals.order_releasing.send(sender=Order, order=order, final=final)
    if products:
        list(
            Product.objects.select_for_update()
            .filter(pk__in=sorted(set(products)), stock__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def _return_stock(quantities):
    """``quantities``: {product id: quantity} back into stock (only where stock is tracked)."""
    for product_id in sorted(quantities):
        if quantities[product_id] > 0:
            Product.objects.filter(pk=product_id, stock__isnull=False).update(
                stock=F("stock") + quantities[product_id]
            )


def _close_downloads(order):
    DownloadLink.objects.filter(order=order, expires_at__gt=timezone.now()).update(
        expires_at=timezone.now()
    )


def next_invoice_number(year, counter_model=InvoiceCounter):
    """Draw the next number of ``year``. The counter row stays locked until the caller's
    transaction ends, so a rolled-back invoice gives its number back: no gaps, no doubles.
    Credit notes draw from their own series (``counter_model=CreditNoteCounter``)."""
    counter_model.objects.bulk_create([counter_model(year=year)], ignore_conflicts=True)
    counter = counter_model.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def create_invoice(order, comment="", user=None):
    """Invoice the whole order. Card-like payments are captured now (payment status Paid)."""
    comment = (comment or "").strip()
    if len(comment) > INVOICE_COMMENT_MAX:
        raise OrderError(
            _("The note is too long (at most %(max)s characters).") % {"max": INVOICE_COMMENT_MAX},
            field="comment",
        )
    with transaction.atomic():
        locked = _lock(order)
        _refuse_if_final(locked, _("invoiced"))
        if Invoice.objects.filter(order=locked).exists():
            raise OrderError(
                _("Order %(number)s has already been invoiced.") % {"number": locked.number}
            )
        lines = list(locked.lines.all())
        today = timezone.localdate()
        year = today.year
        sequence = next_invoice_number(year)
        delivery_from, delivery_to, delivery_month = delivery_of(locked, today)
        invoice = Invoice.objects.create(
            order=locked,
            number=f"{year}-{sequence:06d}",
            year=year,
            sequence=sequence,
            created_by=user,
            comment=comment,
            delivery_from=delivery_from,
            delivery_to=delivery_to,
            delivery_month=delivery_month,
            buyer_name=locked.billing_name,
            buyer_company=locked.billing_company,
            buyer_street=locked.billing_street,
            buyer_postcode=locked.billing_postcode,
            buyer_city=locked.billing_city,
            buyer_country=locked.billing_country,
            buyer_email=locked.email,
            customer_number=(locked.customer.customer_number or "") if locked.customer_id else "",
            buyer_vat_id=locked.billing_vat_id,
            buyer_reference=locked.buyer_reference,
            purchase_order_reference=locked.purchase_order_reference,
            delivery_country=locked.shipping_country,
            reverse_charge=locked.reverse_charge,
            export_delivery=locked.export_delivery,
            order_number=locked.number,
            order_date=locked.created,
            currency=locked.currency,
            lines=[
                vat.line_snapshot(line, locked.reverse_charge, locked.export_delivery)
                for line in lines
            ],
            # The e-invoice's VAT rows (net per item, per category and rate): the same
            # computation the order pages and the confirmation showed (vat.order_figures).
            tax_rows=[row.stored() for row in vat.order_figures(locked, lines).vat_rows],
            goods_total=locked.goods_total,
            shipping_total=locked.shipping_total,
            shipping_tax_rate=locked.shipping_tax_rate,
            shipping_method_name=_in_language(locked.shipping_method, "name", locked.language),
            discount_total=locked.discount_total,
            shipping_discount=locked.shipping_discount,
            voucher_code=locked.voucher_code,
            grand_total=locked.grand_total,
            giftcard_total=locked.giftcard_total,
            credit_total=locked.credit_total,
            payment_method_name=_in_language(locked.payment_method, "name", locked.language),
            payment_method_kind=locked.payment_method.kind,
            seller=seller_record(),
        )
        _event(
            locked,
            events.part(gettext_noop("Invoice %(number)s created."), number=invoice.number),
            user=user,
        )
        # The card payment authorized at checkout is captured now (a voided authorization
        # leaves the invoice open); an order paid in full by gift card or credit is paid.
        captured = locked.payment_status == Order.PaymentStatus.AUTHORIZED
        if captured or locked.amount_due <= ZERO:
            if not locked.is_paid:
                _set_paid(locked, user, captured=captured)
        if locked.is_paid:
            invoice.paid_total = max(ZERO, locked.amount_due)
        elif locked.partly_paid:
            # the part payments received so far are already paid (BT-113, "Already paid")
            invoice.paid_total = min(locked.received_total, max(ZERO, locked.amount_due))
        invoice.save(update_fields=["paid_total"])
        _finish(order, locked)
    return invoice


def delivery_of(order, day):
    """The time of supply an invoice of ``order`` issued on ``day`` states (§ 14 Abs. 4
    Nr. 6 UStG): (first day, last day, month?). Every unit to ship already shipped: the
    day(s) of its shipments; goods still to ship: the calendar month of the invoice (§ 31
    Abs. 4 UStDV — the shop ships within days); nothing to ship (downloads, gift cards):
    the invoice date."""
    state = order_state(order)
    to_ship = [p for p in state.progress if p.line.needs_shipping and p.line.quantity > p.cancelled]
    if not to_ship:
        return day, day, False
    if any(p.remaining for p in to_ship):
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return first, last, True
    days = [timezone.localdate(s.created) for s in Shipment.objects.filter(order=order)]
    return min(days), max(days), False


def _set_paid(locked, user, captured=False, received=None, settled=False):
    """``received``: what arrived, when the operator typed it (``mark_paid``) — more than
    what was due leaves the excess owed back (``overpaid_total``, "Refund pending").
    ``settled``: nothing arrived now — a credit note has reduced what is due to no more
    than the part payments received (``settle_part_payments``); what they exceed it by that
    note pays back itself (its ``paid_total``), so no excess is left here."""
    # Credit notes issued before the payment cancelled part of what was due: what arrives
    # is the rest, and the order is a partly refunded one from now on.
    credited = locked.credited_total > 0
    if settled:
        due = max(ZERO, locked.amount_due - locked.credited_total)
        excess = ZERO
    else:
        due = locked.balance_due
        excess = ZERO if received is None else max(ZERO, received - due)
    if excess:
        locked.overpaid_total = excess
        locked.payment_status = Order.PaymentStatus.REFUND_PENDING
    else:
        locked.payment_status = (
            Order.PaymentStatus.PARTLY_REFUNDED if credited else Order.PaymentStatus.PAID
        )
    locked.paid_at = timezone.now()
    locked.save(update_fields=["payment_status", "paid_at", "overpaid_total"])
    if settled:
        _event(
            locked,
            events.part(
                gettext_noop(
                    "The part payments received (%(amount)s) now cover the %(due)s due: "
                    "the order is paid."
                ),
                amount=events.money(locked.received_total, locked.currency),
                due=events.money(due, locked.currency),
            ),
            user=user,
        )
    else:
        _event(locked, _payment_part(locked, captured, received), user=user)
    if excess:
        _event(
            locked,
            events.part(
                gettext_noop(
                    "%(amount)s more than the %(due)s due was paid: to pay back via %(method)s."
                ),
                amount=events.money(excess, locked.currency),
                due=events.money(due, locked.currency),
                method=events.method(locked.payment_method),
            ),
            user=user,
        )
    if locked.status in FINAL_STATES:
        # closed by the credit note that settled it: nothing to deliver or to reward
        return
    issue_download_links(locked)
    loyalty.earn_points_for_order(locked)
    if credited:
        from .refunds import reverse_points_of_credit_notes

        reverse_points_of_credit_notes(locked)
    # A payment recorded by hand (not a card capture): the staff member's word that money
    # arrived — receivers may count what it releases (the gift cards of the order against
    # their daily limit). A credit note that settles part payments recorded by hand counts
    # on the word of whoever issued it: part payments and a note left cards uncounted.
    marked_by = user if user is not None and not captured else None
    signals.order_paid.send(sender=Order, order=locked, marked_by=marked_by)


def _payment_part(locked, captured, received=None):
    """The history's sentence for the payment: what the payment method collected, or — when
    gift card and account credit paid the whole order — those, not "0.00 € received" by a
    payment method that collected nothing."""
    if locked.amount_due <= ZERO:
        giftcard = events.money(locked.giftcard_total, locked.currency)
        credit = events.money(locked.credit_total, locked.currency)
        if locked.giftcard_total > 0 and locked.credit_total > 0:
            return events.part(
                gettext_noop(
                    "Paid in full by gift card (%(giftcard)s) and account credit (%(credit)s)."
                ),
                giftcard=giftcard,
                credit=credit,
            )
        if locked.credit_total > 0:
            return events.part(
                gettext_noop("Paid in full from account credit (%(amount)s)."), amount=credit
            )
        if locked.giftcard_total > 0:
            return events.part(
                gettext_noop("Paid in full by gift card (%(amount)s)."), amount=giftcard
            )
        return events.part(
            gettext_noop("Nothing to pay: the order total is %(amount)s."),
            amount=events.money(locked.grand_total, locked.currency),
        )
    return events.part(
        gettext_noop("Card payment of %(amount)s captured via %(method)s.")
        if captured
        else gettext_noop("Payment of %(amount)s received via %(method)s."),
        amount=events.money(locked.balance_due if received is None else received, locked.currency),
        method=events.method(locked.payment_method),
    )


def _in_language(obj, field, language):
    """A translated field of ``obj`` (a shipping or payment method) as the customer reads it:
    in the order's language, the default language where that translation is empty. The
    invoice keeps it, like the line names."""
    with override(language or settings.LANGUAGE_CODE):
        return getattr(obj, field)


def _voided(order):
    return events.part(
        gettext_noop("Card authorization of %(amount)s voided; the amount is no longer reserved."),
        amount=events.money(order.amount_due, order.currency),
    )


def authorize_card_payment(order):
    """At placement (inside its transaction): a card payment is authorized, not yet taken —
    the amount is reserved on the card until the invoice captures it (or it is voided)."""
    if (
        order.payment_method.captured_on_invoice
        and order.amount_due > ZERO
        and order.payment_status == Order.PaymentStatus.UNPAID
    ):
        order.payment_status = Order.PaymentStatus.AUTHORIZED
        order.save(update_fields=["payment_status"])
        _event(
            order,
            events.part(
                gettext_noop("Card payment of %(amount)s authorized via %(method)s."),
                amount=events.money(order.amount_due, order.currency),
                method=events.method(order.payment_method),
            ),
        )
    return order


def capture_payment(order, user=None):
    """Take the authorized card payment now (the invoice does the same when it is created)."""
    with transaction.atomic():
        locked = _lock(order)
        _refuse_if_final(locked, _("charged"))
        if locked.payment_status != Order.PaymentStatus.AUTHORIZED:
            raise OrderError(
                _("Order %(number)s has no authorized card payment to capture.")
                % {"number": locked.number}
            )
        _set_paid(locked, user, captured=True)
        return _finish(order, locked)


def void_authorization(order, user=None):
    """Release the authorized amount on the customer's card; the order stays unpaid."""
    with transaction.atomic():
        locked = _lock(order)
        if locked.payment_status != Order.PaymentStatus.AUTHORIZED:
            raise OrderError(
                _("Order %(number)s has no authorized card payment to void.")
                % {"number": locked.number}
            )
        locked.payment_status = Order.PaymentStatus.UNPAID
        locked.save(update_fields=["payment_status"])
        _event(locked, _voided(locked), user=user)
        return _finish(order, locked)


def mark_paid(order, user=None, amount=None):
    """Payment status → Paid (bank transfer arrived, cash collected …). No-op if already paid.

    ``amount``: what arrived, as the operator read it off the bank statement (None: what
    was due). Less than what is still due is a part payment (a transfer of too little):
    it is added to ``Order.received_total``, the order is "Partly paid" and the customer
    is told what is still due (an authorized card payment is captured whole: refused). The
    amount that completes it marks the order paid; more is recorded as an overpayment to
    pay back (``Order.overpaid_total``, "Refund pending"). Money for an order that owes
    nothing (canceled, closed, paid already) is ``record_payment_owed_back``: refused here,
    so that a "Mark as paid" page sent again, or after the order was paid, books nothing
    twice."""
    with transaction.atomic():
        locked = _lock(order)
        _refuse_if_final(locked, _("marked as paid"))
        if amount is not None:
            amount = money(amount)
            if amount <= ZERO:
                raise OrderError(_("Enter the amount received."), field="amount")
        if locked.is_paid:
            if amount is not None:
                raise OrderError(
                    _("Order %(number)s is already marked as paid.") % {"number": locked.number},
                    field="amount",
                )
            _finish(order, locked)
            return locked
        authorized = locked.payment_status == Order.PaymentStatus.AUTHORIZED
        # (a card payment is captured whole; one whose authorization was voided is paid by
        # transfer like an invoice, and may arrive in parts)
        if amount is not None and amount < locked.balance_due and not authorized:
            _record_part_payment(locked, amount, user)
            return _finish(order, locked)
        if amount is not None and amount < locked.balance_due:
            raise OrderError(
                _(
                    "%(amount)s received is less than the %(due)s due. Mark the order as paid "
                    "once the whole amount has arrived, or reduce what is due with a partial "
                    "refund (credit note) first."
                )
                % {
                    "amount": format_money(amount, locked.currency),
                    "due": format_money(locked.balance_due, locked.currency),
                },
                field="amount",
            )
        if amount is not None and authorized and amount != locked.balance_due:
            raise OrderError(
                _("A card payment is captured for the amount authorized: %(due)s.")
                % {"due": format_money(locked.balance_due, locked.currency)},
                field="amount",
            )
        # An authorized card payment that is marked paid has been taken: a capture.
        due = locked.balance_due
        _set_paid(locked, user, captured=authorized, received=amount)
        if not authorized and (amount or due) > ZERO:
            state = order_state(locked)
            emails.payment_received(
                locked,
                # the whole payment: with the part payments that came before
                (amount if amount is not None else due) + locked.received_total,
                to_ship=not state.final
                and any(p.line.needs_shipping and p.remaining for p in state.progress),
            )
        return _finish(order, locked)


def owes_nothing(order):
    """Nothing is due on ``order`` any more: canceled or closed, or paid (not a card payment
    only authorized). Money that still arrives is owed back (``record_payment_owed_back``)."""
    return order.status in FINAL_STATES or order.is_paid


def record_payment_owed_back(order, user=None, amount=None):
    """Money arrived for an order that owes nothing — a transfer for an order canceled
    meanwhile (also one canceled with a credit note), a second transfer for a paid or closed
    order: all of it is an overpayment to pay back ("Refund pending", "Overpayments to pay
    back"), by bank transfer whatever the order's payment method (the money came by
    transfer). What was paid back of earlier overpayments stays paid back
    (``overpaid_returned_total``); the customer is told the money goes back. Refused while
    something is due: that is "Mark as paid" (``mark_paid``)."""
    amount = None if amount is None else money(amount)
    if amount is None or amount <= ZERO:
        raise OrderError(_("Enter the amount received."), field="amount")
    with transaction.atomic():
        locked = _lock(order)
        if not owes_nothing(locked):
            raise OrderError(
                _("Order %(number)s still has %(due)s due: mark it as paid instead.")
                % {
                    "number": locked.number,
                    "due": format_money(locked.balance_due, locked.currency),
                },
                field="amount",
            )
        if locked.overpaid_returned_at is not None:
            # every earlier overpayment was paid back (also by a process of the previous
            # release, which did not count it in overpaid_returned_total)
            locked.overpaid_returned_total = locked.overpaid_total
        locked.overpaid_total += amount
        locked.overpaid_returned_at = None
        locked.payment_status = Order.PaymentStatus.REFUND_PENDING
        locked.save(
            update_fields=[
                "overpaid_total",
                "overpaid_returned_total",
                "overpaid_returned_at",
                "payment_status",
            ]
        )
        _event(
            locked,
            events.part(
                gettext_noop("%(amount)s received for the canceled order: to pay back.")
                if locked.status == Order.Status.CANCELED
                else gettext_noop("%(amount)s received when nothing was due: to pay back."),
                amount=events.money(amount, locked.currency),
            ),
            user=user,
        )
        emails.payment_received(locked, amount, to_ship=False)
        return _finish(order, locked)


def _record_part_payment(locked, amount, user):
    """Less than what is still due arrived (the caller holds the row lock): it comes off
    the balance, the order is "Partly paid" and its goods wait for the rest; the customer
    learns what is still due and how to pay it."""
    locked.received_total += amount
    locked.payment_status = Order.PaymentStatus.PARTLY_PAID
    locked.save(update_fields=["received_total", "payment_status"])
    _event(
        locked,
        events.part(
            gettext_noop("Part payment of %(amount)s received via %(method)s; %(due)s still due."),
            amount=events.money(amount, locked.currency),
            method=events.method(locked.payment_method),
            due=events.money(locked.balance_due, locked.currency),
        ),
        user=user,
    )
    state = order_state(locked)
    emails.part_payment_received(
        locked,
        amount,
        to_ship=not locked.payment_allows_shipping
        and any(p.line.needs_shipping and p.remaining for p in state.progress),
    )


def settle_part_payments(locked, user=None):
    """A credit note on a partly paid order (the caller holds the row lock) has reduced what
    is due to no more than the part payments received: the order is paid, and what they
    exceed it by the note pays back (``orders.services.refunds._distribute``)."""
    if locked.partly_paid and locked.balance_due <= ZERO:
        _set_paid(locked, user, settled=True)
        # the note's payout of the part payments beyond what is due: "Refund pending"
        status = refund_status(locked)
        if status != locked.payment_status:
            locked.payment_status = status
            locked.save(update_fields=["payment_status"])


def mark_overpayment_paid_back(order, user=None):
    """The operator has paid back what the customer paid in excess (``overpaid_total``). It
    went back by bank transfer unless the order's own method is one (``overpayment_kind``):
    the history of a card order does not say "via Credit card"."""
    if order.overpayment_kind == order.payment_method.kind:
        event = gettext_noop("Overpayment of %(amount)s paid back via %(method)s.")
    else:
        event = gettext_noop("Overpayment of %(amount)s paid back by bank transfer.")
    return _record_payback(
        order,
        user,
        ("overpaid_total", "overpaid_returned_at", "overpaid_returned_total"),
        nothing=_("Order %(number)s has no overpayment to pay back."),
        already=_("The overpayment of order %(number)s has already been marked as paid back."),
        event=event,
        overpayment=True,
    )


def refund_status(locked):
    """The payment status of a paid order money goes back to (canceled, or credited by credit
    notes), from what is still owed: "Refund pending" while a payout through the payment
    method is not recorded — the order's own after a cancellation (``payout_due``) or a
    credit note's (``paid_total``) —, then "Refunded" for an order that no longer stands and
    "Partly refunded" for one that does. The one rule of the cancellation, the credit notes
    and the payouts: the status never says "Refunded" while the customer is still owed money
    (the constraint ``order_payout_matches_payment_status`` holds the order's own payout to
    it)."""
    pending = (
        locked.payout_pending
        or locked.overpayment_pending
        or (
            CreditNote.objects.filter(
                invoice__order=locked, paid_total__gt=0, refunded_at__isnull=True
            ).exists()
        )
    )
    if pending:
        return Order.PaymentStatus.REFUND_PENDING
    if locked.status in FINAL_STATES:
        return Order.PaymentStatus.REFUNDED
    if not locked.credited_total:
        # only an overpayment went back: the order is simply paid
        return Order.PaymentStatus.PAID
    return Order.PaymentStatus.PARTLY_REFUNDED


def unpaid_for_cancellation(order):
    """Nothing has been paid through the payment method, not even in part (what gift card
    and account credit paid goes back with the cancellation), and nothing is owed back."""
    return (
        order.payment_status == Order.PaymentStatus.UNPAID
        and not order.received_total
        and not order.overpaid_total
    )


def _standing_and_unshipped_refusal(order):
    """Why ``order`` cannot be canceled at all: canceled or closed already, or shipped."""
    try:
        _refuse_if_final(order, _("canceled"))
    except OrderError as exc:
        return exc
    if Shipment.objects.filter(order=order).exists():
        return OrderError(
            _("Order %(number)s has already been shipped and can no longer be canceled.")
            % {"number": order.number}
        )
    return None


def cancel_blocker(order):
    """Why ``order`` cannot be canceled (an OrderError: canceled or closed already, shipped,
    invoiced), or None — asked by the cancellation under the order's lock and by the
    confirmation page before it offers one. An invoiced order may still be canceled with a
    credit note (:func:`credit_note_cancel_blocker`)."""
    refusal = _standing_and_unshipped_refusal(order)
    if refusal is not None:
        return refusal
    if Invoice.objects.filter(order=order).exists():
        return OrderError(
            _("Order %(number)s has been invoiced; refund it instead of canceling it.")
            % {"number": order.number}
        )
    return None


def credit_note_cancel_blocker(order):
    """Why ``order`` cannot be canceled with a credit note (an OrderError), or None: it must
    stand, be invoiced, and be neither shipped nor paid (even in part) — a paid order's money
    goes back by Payments' refund."""
    refusal = _standing_and_unshipped_refusal(order)
    if refusal is not None:
        return refusal
    if not Invoice.objects.filter(order=order).exists():
        return OrderError(
            _("Order %(number)s has not been invoiced: cancel it without a credit note.")
            % {"number": order.number}
        )
    if not unpaid_for_cancellation(order):
        return OrderError(
            _(
                "Order %(number)s has been paid, in full or in part: it is not canceled but "
                "refunded, by the Payments role."
            )
            % {"number": order.number}
        )
    return None


def checked_cancel_reason(reason="", quick_reason=""):
    """The operator's reason for a cancellation as stored: (text, quick reason key), or
    ``OrderError`` for a text that is too long or a quick reason that does not exist."""
    reason = (reason or "").strip()
    if len(reason) > CANCEL_REASON_MAX:
        raise OrderError(
            _("The reason is too long (at most %(max)s characters).") % {"max": CANCEL_REASON_MAX},
            field="reason",
        )
    quick_reason = quick_reason or ""
    if quick_reason and quick_reason not in CANCEL_REASONS:
        raise OrderError(_("Choose one of the reasons offered."), field="quick_reason")
    return reason, quick_reason


def _reason_parts(reason, quick_reason, told):
    """The history's sentences of the cancellation's reason (``told``: the customer has been
    given it by e-mail)."""
    parts = []
    if quick_reason:
        parts.append(events.part(CANCEL_REASONS[quick_reason].event))
    if reason:
        parts.append(
            events.part(
                gettext_noop("Details: %(reason)s")
                if quick_reason
                else gettext_noop("Reason: %(reason)s"),
                reason=reason,
            )
        )
    if told:
        parts.append(events.part(gettext_noop("The customer was told the reason by e-mail.")))
    return parts


def _told_reason(order, notify, reason, quick_reason, tell_customer):
    """Whether the cancellation e-mail tells the customer the reason."""
    return bool(tell_customer and notify and (reason or quick_reason) and emails.reaches(order))


def cancel_order(order, user=None, notify=True, reason="", tell_customer=False, quick_reason=""):
    """Cancel while nothing is invoiced or shipped: stock comes back, receivers of
    ``order_canceled`` give back voucher use, gift-card / credit payments and points. The
    customer is told by e-mail (``notify=False``: not, as when their data is being erased).

    ``reason``: the operator's words (at most ``CANCEL_REASON_MAX`` characters) and
    ``quick_reason`` a key of ``CANCEL_REASONS``, both optional, for the order's history;
    ``tell_customer``: the cancellation e-mail gives them too."""
    reason, quick_reason = checked_cancel_reason(reason, quick_reason)
    with transaction.atomic():
        locked = _lock(order)
        refusal = cancel_blocker(locked)
        if refusal is not None:
            raise refusal
        returned = defaultdict(int)
        for line in locked.lines.all():
            if line.product_id:
                returned[line.product_id] += line.quantity
        lock_for_release(locked, returned)
        _return_stock(returned)
        # paid, or paid too much (an overpayment still to pay back is "Refund pending")
        was_paid = locked.is_paid
        was_authorized = locked.payment_status == Order.PaymentStatus.AUTHORIZED
        locked.status = Order.Status.CANCELED
        if was_paid or locked.partly_paid:
            # What the payment method collected (all of it, or the part payments received)
            # is owed back; gift card and account credit go back by the receivers of
            # order_canceled below. Refunded only once nothing is owed any more: "Refund
            # pending" until the payout is recorded.
            locked.payout_due = max(ZERO, locked.amount_due) if was_paid else locked.received_total
            locked.payment_status = refund_status(locked)
        elif was_authorized:
            locked.payment_status = Order.PaymentStatus.UNPAID
        locked.save(update_fields=["status", "payment_status", "payout_due"])
        _close_downloads(locked)
        told = _told_reason(locked, notify, reason, quick_reason, tell_customer)
        _event(
            locked,
            events.part(gettext_noop("Order canceled.")),
            *_reason_parts(reason, quick_reason, told),
            user=user,
        )
        if locked.payout_due:
            _event(
                locked,
                events.part(
                    gettext_noop("%(amount)s to pay back via %(method)s."),
                    amount=events.money(locked.payout_due, locked.currency),
                    method=events.method(locked.payment_method),
                ),
                user=user,
            )
        if was_authorized:
            _event(locked, _voided(locked), user=user)
        loyalty.reverse_points_for_order(locked)
        signals.order_canceled.send(sender=Order, order=locked)
        if notify:
            emails.order_canceled(
                locked, was_paid, was_authorized, **_told_context(told, reason, quick_reason)
            )
        return _finish(order, locked)


def _told_context(told, reason, quick_reason):
    """What the cancellation e-mail says of the reason: nothing unless it is told."""
    if not told:
        return {}
    return {
        "reason": reason,
        "reason_sentence": CANCEL_REASONS[quick_reason].customer if quick_reason else "",
    }


def cancel_with_credit_note(order, user=None, reason="", tell_customer=False, quick_reason=""):
    """Cancel an invoiced order nothing has been paid for or shipped of: a credit note for
    the whole invoice cancels it (a Stornorechnung, issued as the full refund issues it:
    ``refunds.plan_credit_note``, ``refunds._issue``) — nothing is owed any more, gift-card
    and account-credit payments go back, the goods go back into stock, the receivers of
    ``order_canceled`` release the discount code — and the order is Canceled. The customer
    gets the cancellation e-mail with the credit note attached. ``reason``,
    ``quick_reason``, ``tell_customer``: as for :func:`cancel_order`. Returns the credit
    note."""
    from .refunds import _issue, cancel_refusal, plan_credit_note

    reason, quick_reason = checked_cancel_reason(reason, quick_reason)
    with transaction.atomic():
        locked = _lock(order)
        refusal = credit_note_cancel_blocker(locked) or cancel_refusal(locked)
        if refusal is not None:
            raise refusal
        plan = plan_credit_note(locked, final=True)
        credit_note = _issue(locked, plan, user, "", canceled=True)
        told = _told_reason(locked, True, reason, quick_reason, tell_customer)
        _event(
            locked,
            events.part(
                gettext_noop("Order canceled with credit note %(number)s."),
                number=credit_note.number,
            ),
            *_reason_parts(reason, quick_reason, told),
            user=user,
        )
        if (
            emails.order_canceled(
                locked,
                False,
                False,
                credit_note=credit_note,
                attachments=[_pdf_attachment(credit_note, "credit_note_pdf_bytes")],
                **_told_context(told, reason, quick_reason),
            )
            is not None
        ):
            credit_note.sent_at = timezone.now()
            credit_note.save(update_fields=["sent_at"])
        _finish(order, locked)
    return credit_note


def mark_cancellation_refunded(order, user=None):
    """The operator has paid back what the payment method collected for a paid order that was
    canceled (bank transfer, card refund in the provider's portal)."""
    return _record_payback(
        order,
        user,
        ("payout_due", "payout_done_at"),
        nothing=_("Order %(number)s has nothing to pay back."),
        already=_("Order %(number)s has already been marked as paid back."),
        event=gettext_noop("%(amount)s paid back via %(method)s."),
    )


def _record_payback(order, user, fields, *, nothing, already, event, overpayment=False):
    """A payout of the order's own (``fields``: its amount, its done-at field and, where
    part of the amount may have been paid back before, the field of that part) marked as
    made: the payment status follows (``refund_status``), the history and the customer's
    "paid out" e-mail say it."""
    amount_field, done_field, *returned_field = fields
    with transaction.atomic():
        locked = _lock(order)
        amount = getattr(locked, amount_field)
        if not amount:
            raise OrderError(nothing % {"number": locked.number})
        if getattr(locked, done_field) is not None:
            raise OrderError(already % {"number": locked.number})
        setattr(locked, done_field, timezone.now())
        update = [done_field, "payment_status"]
        for field in returned_field:  # only what was not paid back before goes now
            amount -= getattr(locked, field)
            setattr(locked, field, getattr(locked, amount_field))
            update.append(field)
        locked.payment_status = refund_status(locked)
        locked.save(update_fields=update)
        _event(
            locked,
            events.part(
                event,
                amount=events.money(amount, locked.currency),
                method=events.method(locked.payment_method),
            ),
            user=user,
        )
        emails.refund_paid_out(locked, amount, overpayment=overpayment)
        _finish(order, locked)
    setattr(order, done_field, getattr(locked, done_field))
    return locked


def _pdf_attachment(document, generator):
    """An outbox attachment rendered at send time by ``orders.pdf.<generator>(pk)``."""
    return {
        "filename": document.filename,
        "mimetype": "application/pdf",
        "generator": f"orders.pdf.{generator}",
        "args": [document.pk],
    }


def tracking_parcels(tracking):
    """``tracking`` ((carrier, number) pairs as typed) checked: [(carrier, number)], each
    parcel once. A pair without a number is an empty row, whatever carrier it names (the Ship
    page preselects one): left out, the number can be added later.

    A number is one line of letters, digits and separators: a line break, a control
    character or a quote inside it is text that slipped in (the next lines of a carrier's
    list swallowed by a stray quote), refused rather than stored and e-mailed."""

    quotes = (  # " ' and the typographic ones
        "\"'\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a\uff02\uff07"
    )

    def foreign(char):
        code = ord(char)
        return (
            code < 0x20
            or 0x7F <= code < 0xA0  # control characters (NEL among them)
            or code in (0x2028, 0x2029)  # line and paragraph separator
            or 0xD800 <= code < 0xE000  # surrogates: not text
            or char in quotes
        )

    parcels = []
    for carrier, number in tracking or ():
        carrier, number = (carrier or "").strip().lower(), (number or "").strip()
        if not number:
            continue
        if carrier not in TrackingNumber.Carrier.values:
            raise OrderError(_("Unknown carrier %(carrier)s.") % {"carrier": carrier})
        if len(number) > 64:
            raise OrderError(_("Enter a tracking number (up to 64 characters)."))
        if any(foreign(char) for char in number):
            raise OrderError(
                _("A tracking number cannot hold a line break, a control character or a quote.")
            )
        if (carrier, number) not in parcels:
            parcels.append((carrier, number))
    return parcels


def add_tracking(shipment, tracking, user=None):
    """Add tracking numbers to a shipment that left without them (shipped in bulk, or a
    parcel added later). Returns the numbers added; one the shipment has is not added twice.
    E-mailing them is ``send_tracking``'s."""
    with transaction.atomic():
        locked = _lock(shipment.order)
        parcels = tracking_parcels(tracking)
        if not parcels:
            raise OrderError(_("Enter a tracking number (up to 64 characters)."))
        have = set(
            TrackingNumber.objects.filter(shipment=shipment).values_list("carrier", "number")
        )
        added = TrackingNumber.objects.bulk_create(
            TrackingNumber(shipment=shipment, carrier=c, number=n)
            for c, n in parcels
            if (c, n) not in have
        )
        if not added:
            raise OrderError(_("The shipment already has this tracking number."))
        _event(
            locked,
            events.part(
                gettext_noop("Tracking number %(tracking)s added to shipment %(number)s."),
                tracking=", ".join(str(t) for t in added),
                number=shipment.number,
            ),
            user=user,
        )
    return added


def create_shipment(order, lines, tracking=(), user=None):
    """Ship ``lines`` ({order line id: quantity}); partial shipments are allowed.

    ``tracking`` is a list of (carrier, number) pairs, carrier one of TrackingNumber.Carrier.
    """
    with transaction.atomic():
        locked = _lock(order)
        _refuse_if_final(locked, _("shipped"))
        state = order_state(locked)
        progress = {p.line.pk: p for p in state.progress}
        wanted = {}
        for line_id, quantity in (lines or {}).items():
            line_id, quantity = typed_units(line_id, quantity)
            if line_id not in progress:
                raise OrderError(_("This line does not belong to the order."))
            if quantity < 0:
                raise OrderError(_("Quantities cannot be negative."))
            if quantity == 0:
                continue
            p = progress[line_id]
            if not p.line.needs_shipping:
                raise OrderError(
                    _("%(name)s is not shipped (download or gift card).") % {"name": p.line.name}
                )
            if quantity > p.remaining:
                raise OrderError(
                    _("Only %(left)s × %(name)s left to ship.")
                    % {"left": p.remaining, "name": p.line.name}
                )
            wanted[line_id] = quantity
        if not wanted:
            raise OrderError(_("Choose at least one item to ship."))
        parcels = tracking_parcels(tracking)
        count = Shipment.objects.filter(order=locked).count()
        shipment = Shipment.objects.create(
            order=locked, number=f"{locked.number}-{count + 1}", created_by=user
        )
        ShipmentLine.objects.bulk_create(
            ShipmentLine(shipment=shipment, order_line_id=line_id, quantity=quantity)
            for line_id, quantity in wanted.items()
        )
        TrackingNumber.objects.bulk_create(
            TrackingNumber(shipment=shipment, carrier=c, number=n) for c, n in parcels
        )
        _event(
            locked,
            events.part(gettext_noop("Shipment %(number)s created."), number=shipment.number),
            user=user,
        )
        _finish(order, locked)
    return shipment


def set_delivered(shipment, delivered_on, user=None):
    """The carrier delivered ``shipment`` on ``delivered_on`` (a date; None: unknown again).
    The withdrawal period of the order runs from the delivery of its last shipment.

    The first date entered on a shipment tells the customer (``emails.shipment_delivered``):
    until when they can withdraw, once this delivery starts the period, or that more is to
    follow. A corrected or removed date sends nothing (the order page shows the period as
    it stands), nor does a canceled or closed order; a date entered after the date was
    removed (the delivery was unknown again) tells the customer anew. The returned
    shipment's ``customer_emailed`` says whether the e-mail was queued."""
    # The withdrawal period's rules live in .withdrawals, which builds on this module.
    from .withdrawals import delivery_date, period_end, withdrawal_open

    with transaction.atomic():
        locked = _lock(shipment.order)
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        when = None
        if delivered_on is not None:
            if delivered_on < timezone.localdate(shipment.created):
                raise OrderError(
                    _("A shipment cannot be delivered before it was shipped."), field="delivered_on"
                )
            if delivered_on > timezone.localdate():
                raise OrderError(_("The delivery date lies in the future."), field="delivered_on")
            when = datetime.combine(delivered_on, time(12), tzinfo=timezone.get_current_timezone())
        first = shipment.delivered_at is None and when is not None
        shipment.delivered_at = when
        shipment.save(update_fields=["delivered_at"])
        _event(
            locked,
            events.part(
                gettext_noop("Shipment %(number)s delivered on %(date)s."),
                number=shipment.number,
                date=events.day(delivered_on),
            )
            if when
            else events.part(
                gettext_noop("Delivery date of shipment %(number)s removed."),
                number=shipment.number,
            ),
            user=user,
        )
        shipment.customer_emailed = False
        if first and locked.status not in FINAL_STATES:
            shop, today = ShopSettings.load(), timezone.localdate()
            # Goods still to come: units not shipped yet, or another parcel with neither a
            # delivery date nor the assumed transit time behind it (withdrawals.delivery_date).
            to_follow = not order_state(locked).fully_shipped or any(
                other.delivered_at is None and delivery_date(other, shop) > today
                for other in locked.shipments.exclude(pk=shipment.pk)
            )
            open_until = None
            if not to_follow and withdrawal_open(locked, today, shop):
                open_until = period_end(locked, shop)
            shipment.customer_emailed = (
                emails.shipment_delivered(locked, shipment, delivered_on, to_follow, open_until)
                is not None
            )
    return shipment


COMMENT_REPEAT_WINDOW = timedelta(minutes=10)


def add_comment(order, text, visible_to_customer=False, notify_customer=False, user=None):
    """Add to the order's comment history; a notified comment is always visible."""
    text = (text or "").strip()
    if not text:
        raise OrderError(_("The comment is empty."), field="text")
    with transaction.atomic():
        locked = _lock(order)
        # The same comment sent again (a double click, "send again") is the one sent before:
        # no second entry, no second e-mail to the customer.
        repeated = (
            OrderComment.objects.filter(
                order=locked,
                is_event=False,
                author=user,
                text=text,
                visible_to_customer=visible_to_customer or notify_customer,
                customer_notified=notify_customer,
                created__gte=timezone.now() - COMMENT_REPEAT_WINDOW,
            )
            .order_by("-created", "-id")
            .first()
        )
        if repeated is not None:
            return repeated
        comment = OrderComment.objects.create(
            order=locked,
            author=user,
            text=text,
            visible_to_customer=visible_to_customer or notify_customer,
            customer_notified=notify_customer,
        )
        if notify_customer:
            queue_email(
                "order_comment",
                locked.email,
                {"order": locked, "comment": comment},
                language=locked.language,
            )
    return comment


def send_invoice(invoice, user=None):
    """E-mail the invoice PDF to the customer (only when the operator asks for it)."""
    with transaction.atomic():
        locked = _lock(invoice.order)
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        from ..pdf import invoice_context  # the PDF's own payment terms, not a second rule

        with override(locked.language):
            document = invoice_context(invoice)
        queue_email(
            "order_invoice",
            locked.email,
            {
                "order": locked,
                "invoice": invoice,
                "payment": document["payment"],
                "due_date": document["due_date"],
            },
            language=locked.language,
            attachments=[_pdf_attachment(invoice, "invoice_pdf_bytes")],
        )
        invoice.sent_at = timezone.now()
        invoice.save(update_fields=["sent_at"])
        _event(
            locked,
            events.part(
                gettext_noop("Invoice %(number)s sent by e-mail to %(email)s."),
                number=invoice.number,
                email=locked.email,
            ),
            user=user,
        )
    return invoice


def send_tracking(shipment, user=None):
    """E-mail the shipment's tracking numbers (only on "Send tracking information")."""
    with transaction.atomic():
        locked = _lock(shipment.order)
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        tracking = list(shipment.tracking.all())
        if not tracking:
            raise OrderError(_("This shipment has no tracking number to send."))
        # What this parcel is of the order: all of it, the rest of it, or a part of it.
        shipments = list(Shipment.objects.filter(order=locked).values_list("pk", flat=True))
        fully_shipped = order_state(locked).fully_shipped
        last = fully_shipped and shipment.pk == max(shipments)
        if last:
            parcel = "rest" if len(shipments) > 1 else "all"
        else:  # an earlier parcel: "the rest follows" only while something is to follow
            parcel = "one" if fully_shipped else "part"
        queue_email(
            "order_tracking",
            locked.email,
            {
                "order": locked,
                "shipment": shipment,
                "tracking": tracking,
                "lines": list(shipment.lines.select_related("order_line")),
                "parcel": parcel,
            },
            language=locked.language,
        )
        shipment.tracking_sent_at = timezone.now()
        shipment.save(update_fields=["tracking_sent_at"])
        _event(
            locked,
            events.part(
                gettext_noop("Tracking information of %(number)s sent to %(email)s."),
                number=shipment.number,
                email=locked.email,
            ),
            user=user,
        )
    return shipment


# ---------------------------------------------------------------- downloadable products


def issue_download_links(order):
    """Create a link per downloadable line that has none yet and e-mail them. Called when the
    order becomes paid, inside that transaction."""
    shop = ShopSettings.load()
    existing = set(DownloadLink.objects.filter(order=order).values_list("order_line_id", flat=True))
    # A download credited in full before the payment is not delivered any more.
    credited = credited_units(CreditNote.objects.filter(invoice__order=order))
    existing |= {
        line.pk
        for line in order.lines.filter(is_downloadable=True)
        if credited.get(line.pk, (0, 0))[0] >= line.quantity
    }
    expires = timezone.now() + timedelta(days=shop.download_expiry_days)
    links = [
        DownloadLink(
            order=order,
            order_line=line,
            token=secrets.token_urlsafe(32),
            expires_at=expires,
            max_downloads=shop.download_max_count,
        )
        for line in order.lines.filter(is_downloadable=True)
        if line.pk not in existing
    ]
    if not links:
        return []
    DownloadLink.objects.bulk_create(links)
    queue_email(
        "order_downloads",
        order.email,
        {"order": order, "links": links},
        language=order.language,
    )
    # The moment the delivery began, in the history: with the customer's consent it is when
    # their right of withdrawal for the downloads expired (withdrawals.expired_lines).
    _event(
        order,
        events.part(
            gettext_noop(
                "Download links e-mailed for %(names)s: their delivery has begun, and with it "
                "the right of withdrawal for them has expired (as agreed at checkout)."
            )
            if order.digital_consent_at
            else gettext_noop("Download links e-mailed for %(names)s."),
            names=", ".join(link.order_line.name for link in links),
        ),
    )
    return links


def renew_download_links(order, user=None):
    """Send the order's download links again, renewed — the customer lost the e-mail, the
    links expired or the downloads are used up (support's "Send download links again"):
    each link of a download not credited in full gets a new address, the shop's validity
    and number of downloads from now, and the old address stops working. Only for an order
    that stands and has its links (a paid one)."""
    with transaction.atomic():
        locked = _lock(order)
        _refuse_if_final(locked, _("sent its download links again"))
        credited = credited_units(CreditNote.objects.filter(invoice__order=locked))
        links = [
            link
            for link in DownloadLink.objects.select_for_update()
            .filter(order=locked)
            .select_related("order_line")
            .order_by("pk")
            if credited.get(link.order_line_id, (0, 0))[0] < link.order_line.quantity
        ]
        if not links:
            raise OrderError(
                _("Order %(number)s has no download links to send again.")
                % {"number": locked.number}
            )
        shop = ShopSettings.load()
        expires = timezone.now() + timedelta(days=shop.download_expiry_days)
        for link in links:
            link.token = secrets.token_urlsafe(32)
            link.expires_at = expires
            link.max_downloads = shop.download_max_count
            link.download_count = 0
        DownloadLink.objects.bulk_update(
            links, ["token", "expires_at", "max_downloads", "download_count"]
        )
        queue_email(
            "order_downloads",
            locked.email,
            {"order": locked, "links": links},
            language=locked.language,
        )
        _event(
            locked,
            events.part(
                gettext_noop("Download links renewed and e-mailed again for %(names)s."),
                names=", ".join(link.order_line.name for link in links),
            ),
            user=user,
        )
    return links


def check_download_link(token):
    """The link behind ``token`` if a download would be given now, else DownloadError with
    the reason; counts nothing. The landing page of the e-mailed link shows it: a mail
    scanner or a link preview that opens the link uses up none of the buyer's downloads."""
    link = (
        DownloadLink.objects.select_related("order", "order_line__product")
        .filter(token=token)
        .first()
    )
    _refuse_download(link)
    return link


def use_download_link(token):
    """Count one download and return the link (with its product); the row is locked so two
    parallel downloads cannot exceed the limit."""
    with transaction.atomic():
        link = (
            DownloadLink.objects.select_for_update(of=("self",))
            .select_related("order", "order_line__product")
            .filter(token=token)
            .first()
        )
        _refuse_download(link)
        link.download_count += 1
        link.last_download_at = timezone.now()
        link.save(update_fields=["download_count", "last_download_at"])
    return link


def _refuse_download(link):
    """DownloadError with the buyer's reason when ``link`` gives no download now."""
    if link is None:
        raise DownloadError(_("This download link does not exist."), status=404)
    if link.order.status in FINAL_STATES:
        raise DownloadError(_("This order has been canceled; the download is closed."))
    if link.is_expired():
        raise DownloadError(
            _("This download link expired on %(date)s.")
            % {"date": formats.date_format(timezone.localtime(link.expires_at))}
        )
    if link.download_count >= link.max_downloads:
        raise DownloadError(
            _("This link has been used %(count)s times, the maximum allowed.")
            % {"count": link.max_downloads}
        )
    product = link.order_line.product
    if (
        product is None
        or not product.download_file
        or not product.download_file.storage.exists(product.download_file.name)
    ):
        raise DownloadError(
            _("The file is currently not available. Please contact us."), status=404
        )


# ---------------------------------------------------------------- operator feed tokens


def regenerate_feed_token(user):
    token = secrets.token_urlsafe(32)
    FeedToken.objects.update_or_create(user=user, defaults={"token": token})
    return token


def revoke_feed_token(user):
    return FeedToken.objects.filter(user=user).delete()[0] > 0


def feed_user(token):
    """The active staff user a feed token belongs to, or None."""
    if not token:
        return None
    feed = FeedToken.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active or not feed.user.is_staff:
        return None
    if not feed.user.has_perm("orders.view_order"):
        return None
    return feed.user
