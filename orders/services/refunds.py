"""Credit notes: partial refunds and the full refund (SPEC S3, issue 20).

A credit note credits chosen lines and quantities, shipping (in full or in part) and an
optional adjustment (below zero: a deduction such as a restocking fee). Its VAT rows are
those of exactly the credited part: the order's goods discount falls on the credited goods
as it fell on the invoice, computed on the running total of everything credited so far, so
that crediting everything in several notes gives back the invoice's rows to the cent.

Where the money goes, in this order (shown before the operator confirms):

1. An order not paid yet: the credit first cancels what is still due (its open amount drops).
   On a partly paid order, what it credits beyond that comes out of the part payments
   received: they now cover what is due, the order is paid, and they exceed it by that
   much — an overpayment to pay back (``Order.overpaid_total``, "Overpayments to pay
   back"; ``lifecycle.settle_part_payments``).
2. Back to the gift card, then to the account credit it was paid with (the refund steps of
   ``orders.extensions``, i.e. the giftcards app, which books them in its ledger).
3. The rest: "to refund via <payment method>"; the operator pays it out and marks the
   credit note refunded (:func:`mark_refunded`). Until then the order's payment status is
   "Refund pending", then "Partly refunded" or (closed) "Refunded"
   (``lifecycle.refund_status``). At the customer's wish the operator may credit it to the
   customer's account credit instead (``to_account``; an order with a customer account, in
   a shop whose giftcards app offers it: ``extensions.account_credit_step``): it is booked
   there at once, as the note's ``credit_total``, and nothing is left to pay out.

Loyalty points earned on the credited goods are taken back pro rata (never below zero). The
sum of an invoice's credit notes never exceeds it: the order row is locked while a note is
issued, and ``Order.credited_total`` (with its database constraint) is raised in the same
transaction. The note that makes the sum equal the invoice is the full refund: the order is
Closed and the receivers of ``order_canceled`` release discount codes and block gift cards
bought with it. A single-use code therefore stays used after a partial refund.

A partial note may credit gift cards bought with the order (a withdrawal from the card, a
return of it): the app that issued them takes them back in the same transaction through the
credit line steps of ``orders.extensions`` (the giftcards app blocks and voids each card,
and refuses a card that has been spent). A note must not pay out the value of cards the
customer keeps.

A credit note that leaves every unit of the order credited while the customer has withdrawn
from it (a statement received in time) credits the delivery costs as well — those of the
least expensive standard delivery at most, when the customer chose a dearer one
(:func:`withdrawal_shipping_owed`) —, whichever path settles the withdrawal.

The order's history says where the money of each note went (back on the gift card, to the
account credit, off the amount due, still to be paid out via the payment method): a note
"credits"; the order is "refunded" only once the payouts are recorded.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from customers import loyalty
from shop import events
from shop.exceptions import DomainError
from shop.mail import queue_email
from shop.money import MoneyError, format_money, parse_money

from .. import emails, extensions, links, signals
from ..aftersales import Return, Withdrawal
from ..errors import OrderError
from ..models import (
    ZERO,
    CreditNote,
    CreditNoteCounter,
    DownloadLink,
    Invoice,
    Order,
    OrderLine,
    discountable_total,
    money,
    net_of,
)
from ..seller import seller_record
from ..vat import EXEMPT, document_figures, line_snapshot
from .checkout import least_expensive_delivery
from .lifecycle import (
    _close_downloads,
    _event,
    _finish,
    _lock,
    _pdf_attachment,
    _refuse_if_final,
    _return_stock,
    credited_units,
    lock_for_release,
    next_invoice_number,
    order_state,
    refund_status,
    settle_part_payments,
    typed_units,
)

CREDIT_NOTE_REASON_MAX = 2000
ADJUSTMENT_TEXT_MAX = 200


@dataclass
class CreditLine:
    line: OrderLine
    quantity: int
    # Units not shipped yet: they are cancelled (back into stock, not shipped any more).
    unshipped: int = 0

    @property
    def total(self):
        return self.line.unit_price * self.quantity


@dataclass
class CreditPlan:
    """What a credit note would credit and where the money would go (also the preview)."""

    order: Order
    lines: list
    goods_total: Decimal
    discount_total: Decimal
    shipping_total: Decimal
    adjustment: Decimal
    adjustment_text: str
    tax_rows: list
    is_final: bool
    due_reduction: Decimal = ZERO
    giftcard_total: Decimal = ZERO
    credit_total: Decimal = ZERO
    paid_total: Decimal = ZERO
    # Of a partly paid order: what the part payments received exceed the reduced amount due
    # by (owed back as the order's overpayment once the note is issued).
    overpaid_total: Decimal = ZERO
    points: int = 0
    # The goods value (after discount, without gift cards) credited before and with it.
    points_value_before: Decimal = ZERO
    points_value_after: Decimal = ZERO
    errors: list = field(default_factory=list)
    # {order line id: units} credited by the earlier notes, for the credit line steps.
    credited_before: dict = field(default_factory=dict)
    # The full refund (``refund_order``): its ``order_canceled`` receivers undo the rest.
    full_refund: bool = False
    # What the credit line steps will do besides (e.g. which gift card is blocked).
    notices: list = field(default_factory=list)
    # The operator's choice: what would go back via the payment method goes to the
    # customer's account credit instead; ``account_total``: that part of ``credit_total``.
    to_account: bool = False
    account_total: Decimal = ZERO

    @property
    def grand_total(self):
        return self.goods_total - self.discount_total + self.shipping_total + self.adjustment

    @property
    def payment_method_name(self):
        return self.order.payment_method.name


# --- refunding to the account credit -------------------------------------------------------


def _refuse_account_credit(order):
    """Raises why the money of a credit note of ``order`` cannot go to the customer's account
    credit instead of the payment method: a guest order has no account, and no app may
    keep account credit (``extensions.account_credit_step``)."""
    if not order.customer_id:
        raise OrderError(
            _(
                "Order %(number)s was placed without a customer account: its refund cannot "
                "go to an account credit. Nothing was changed."
            )
            % {"number": order.number}
        )
    if extensions.account_credit_step() is None:
        raise OrderError(_("This shop cannot refund to a customer's account credit."))


def account_credit_offered(order, plan=None):
    """Whether the operator is offered to refund to the customer's account credit instead of
    the payment method: an order with a customer account, and something would go back via
    the payment method — by ``plan`` (a preview), else by the order (paid, not all of it with
    a gift card or account credit)."""
    if not order.customer_id or extensions.account_credit_step() is None:
        return False
    if plan is not None:
        return plan.paid_total + plan.account_total > 0
    return order.is_paid and order.amount_due > 0


# --- reading what has been credited -----------------------------------------------------


def _credit_notes(order):
    return list(CreditNote.objects.filter(invoice__order=order).order_by("year", "sequence"))


def _points_value(lines_by_id, notes):
    """The goods value (without gift cards, after their discount share) the notes credited."""
    value = ZERO
    for note in notes:
        for entry in note.lines:
            line = lines_by_id.get(entry.get("line"))
            if line is not None and not line.is_giftcard:
                value += Decimal(entry["unit_price"]) * entry["quantity"]
        value -= note.discount_total
    return value


def _points_base(order, lines):
    """The goods value points were earned on (customers.loyalty.points_for_order)."""
    goods = sum((line.line_total for line in lines if not line.is_giftcard), ZERO)
    return goods - (order.discount_total - order.shipping_discount)


def _gross_by_rate(order, lines, quantities, shipping):
    """Gross per VAT rate of ``quantities`` ({line id: units}) of the order's lines plus
    ``shipping``, with the order's goods discount falling on the discounted goods among
    them (``OrderLine.shares_discount``). Each rate's share of the discount is the invoice's
    (``vat.discounted_gross_by_rate``) in proportion to the discounted goods credited at that
    rate — all of it once they all are — so crediting every unit of a rate, in one note or
    several, gives back exactly the invoice's gross at that rate. Returns (gross per rate,
    the discount share)."""
    goods_discount = order.discount_total - order.shipping_discount
    discountable = defaultdict(lambda: ZERO)
    for line in lines:
        if line.shares_discount:
            discountable[line.tax_rate] += line.line_total
    gross = defaultdict(lambda: ZERO)
    credited_discountable = defaultdict(lambda: ZERO)
    for line in lines:
        units = quantities.get(line.pk, 0)
        if not units:
            continue
        value = line.unit_price * units
        gross[line.tax_rate] += value
        if line.shares_discount:
            credited_discountable[line.tax_rate] += value
    share = ZERO
    if goods_discount and sum(discountable.values(), ZERO):
        at_rate = _spread(goods_discount, {r: v for r, v in discountable.items() if v})
        for rate, part in credited_discountable.items():
            if not part:
                continue
            whole = discountable[rate]
            piece = at_rate[rate] if part >= whole else money(at_rate[rate] * part / whole)
            gross[rate] -= piece
            share += piece
    if shipping:
        # at the rate the order charged it (the invoice's), not the method's rate of today
        gross[order.shipping_tax_rate] += shipping
    return gross, share


def _spread(amount, weights):
    """``amount`` over the keys of ``weights`` by their share (the rest on the last key)."""
    total = sum(weights.values(), ZERO)
    keys = sorted(weights)
    parts, remaining = {}, amount
    for i, key in enumerate(keys):
        parts[key] = remaining if i == len(keys) - 1 else money(amount * weights[key] / total)
        remaining -= parts[key]
    return parts


def _spread_within(amount, weights, room):
    """``amount`` over the keys of ``weights`` by their share (:func:`_spread`); an extra
    credit (positive) puts no key above its ``room`` — the excess goes to the keys with
    room left, by their room. A deduction (negative) is spread as it is, and so is an
    amount larger than all the room (the checks before do not let that happen)."""
    parts = _spread(amount, weights)
    if amount <= 0:
        return parts
    for _round in range(len(room) + 1):
        excess = sum((part - room[key] for key, part in parts.items() if part > room[key]), ZERO)
        if excess <= 0:
            break
        capped = {key: min(part, room[key]) for key, part in parts.items()}
        free = {key: room[key] - capped.get(key, ZERO) for key in room}
        free = {key: value for key, value in free.items() if value > 0}
        if sum(free.values(), ZERO) < excess:
            break
        parts = capped
        for key, part in _spread(excess, free).items():
            parts[key] = parts.get(key, ZERO) + part
    return parts


def _rows(rows_by_rate):
    return [
        {"rate": rate, "net": net, "tax": gross - net, "gross": gross}
        for rate, (net, gross) in sorted(rows_by_rate.items())
        if net or gross
    ]


# --- VAT rows of a credit note --------------------------------------------------------------
#
# One rule for every credit note, per EN 16931 category and rate (the key of the invoice's
# rows; the rate alone for an invoice issued before e-invoicing):
#
# - its figures are computed as the invoice's are (``vat.document_figures``: the sum of the
#   credited line nets less their discount share plus the credited shipping), from the
#   note's own lines and gross per rate;
# - they never credit more net or VAT than is left of the invoice's row after the earlier
#   notes (what a row would credit beyond goes to the note's other rows with room left:
#   ``_spill_over``); the note that credits the whole gross left of a row (the full refund:
#   of every row) credits exactly the net and VAT left, so all notes of a fully refunded
#   order add up to the invoice's rows to the cent;
# - their gross adds up to the note's total, and each row's VAT is its rate of its net
#   within the cent a gross price rounds to;
# - rows of nothing are not stored. The PDF and the XML print the stored rows
#   (``vat._match_stored_nets``).


def _row_key(row, by_category):
    return (row.get("category") if by_category else None, Decimal(str(row["rate"])))


def _remaining_rows(invoice, notes):
    """What is left of each of the invoice's rows after ``notes``: {key: [net, tax, gross]}."""
    invoice_rows = invoice.typed_tax_rows
    by_category = bool(invoice_rows) and all(row.get("category") for row in invoice_rows)
    left = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for row in invoice_rows:
        amounts = left[_row_key(row, by_category)]
        for i, name in enumerate(("net", "tax", "gross")):
            amounts[i] += row[name]
    for note in notes:
        for row in note.typed_tax_rows:
            key = _row_key(row, by_category)
            if by_category and not row.get("category"):
                # a note issued before its rows had categories: its rate's largest row
                at_rate = [k for k in left if k[1] == key[1]] or [(None, key[1])]
                key = max(at_rate, key=lambda k: left[k][2])
            amounts = left[key]
            for i, name in enumerate(("net", "tax", "gross")):
                amounts[i] -= row[name]
    return by_category, left


def _stored_row(key, net, tax, gross):
    category, rate = key
    row = {"rate": rate, "net": net, "tax": tax, "gross": gross}
    if category:
        row["category"] = category
    return row


def _within(figures, by_category, left):
    """The VAT rows of a partial note: its own figures (``vat.document_figures``), never
    more net or VAT than is left of each invoice row, exactly what is left where it credits
    a row's whole gross left."""
    computed = defaultdict(lambda: [ZERO, ZERO])
    for row in figures.vat_rows:
        key = (row.category if by_category else None, row.rate)
        computed[key][0] += row.basis
        computed[key][1] += row.gross
    _spill_over(computed, left)
    rows = []
    for key, (net, gross) in sorted(computed.items(), key=lambda item: (-item[0][1], item[0])):
        left_net, left_tax, left_gross = left.get(key, (ZERO, ZERO, ZERO))
        rate = key[1]
        if gross > 0 and gross >= left_gross:
            # the rest of the row (above it only by an extra credit: as net, never as VAT)
            net, tax = left_net + (gross - left_gross), left_tax
        elif gross > 0:
            tax = min(max(gross - net, ZERO), max(left_tax, ZERO), gross) if rate else ZERO
            net = gross - tax
            if net > left_net:
                net = max(left_net, ZERO)
                tax = gross - net
        else:
            tax = gross - net if rate else ZERO
            net = gross - tax
        if net or tax or gross:
            rows.append(_stored_row(key, net, tax, gross))
    return rows


def _spill_over(computed, left):
    """What a row of the note would credit beyond what is left of the invoice's row goes to
    the note's other rows with room left — first those of the same rate, never the gift
    cards' (no revenue) — so no invoice row is credited beyond what it charged, and every
    row keeps the VAT of its rate (the note crediting the rest would otherwise book a row
    below zero). It happens where an extra credit took a rate's room: booked in the category
    of the note's largest line at 0 % (K beside AE, Z or G: ``vat._category_at``), or by an
    earlier note, before the goods of that rate are credited. The stored rows carry where it
    went; the documents derive their discount and adjustment per row from them."""

    def room(key):
        return left[key][2] - computed[key][1] if key in left else ZERO

    for key in sorted(computed, key=lambda k: (-k[1], k[0] or "")):
        amounts = computed[key]
        excess = amounts[1] - (left[key][2] if key in left else ZERO)
        if amounts[1] <= 0 or excess <= 0:
            continue
        targets = sorted(
            (k for k in left if k != key and k[0] != EXEMPT and room(k) > 0),
            key=lambda k: (k[1] != key[1], -room(k), -k[1], k[0] or ""),
        )
        for other in targets:
            part = min(excess, room(other))
            computed[other][0] += net_of(part, other[1])
            computed[other][1] += part
            amounts[0] -= net_of(part, key[1])
            amounts[1] -= part
            excess -= part
            if excess <= 0:
                break


def _final_rows(by_category, left):
    """The VAT rows of the note that credits the rest of the invoice: what is left."""
    return [
        _stored_row(key, *amounts)
        for key, amounts in sorted(left.items(), key=lambda item: (-item[0][1], item[0]))
        if any(amounts)
    ]


def _planned_snapshot(invoice, credit_lines, rows_by_rate, **amounts):
    """The planned note as ``vat.document_figures`` reads a credit note's snapshot
    (``orders.einvoice.credit_note_snapshot``)."""
    lines = [
        {
            **line_snapshot(cl.line, invoice.reverse_charge, invoice.export_delivery),
            "quantity": cl.quantity,
            "line_total": str(cl.total),
        }
        for cl in credit_lines
    ]
    return SimpleNamespace(
        lines=lines,
        tax_rows=[{"rate": row["rate"], "gross": row["gross"]} for row in rows_by_rate],
        shipping_tax_rate=invoice.shipping_tax_rate,
        shipping_discount=ZERO,
        shipping_method_name="",
        voucher_code="",
        reverse_charge=invoice.reverse_charge,
        export_delivery=invoice.export_delivery,
        giftcard_total=ZERO,
        credit_total=ZERO,
        paid_total=ZERO,
        **amounts,
    )


# --- planning -----------------------------------------------------------------------------


def _parse_quantities(lines, progress):
    wanted = {}
    for line_id, quantity in (lines or {}).items():
        line_id, quantity = typed_units(line_id, quantity)
        if line_id not in progress:
            raise OrderError(_("This line does not belong to the order."))
        if quantity < 0:
            raise OrderError(_("Quantities cannot be negative."))
        if quantity:
            wanted[line_id] = quantity
    return wanted


def _amount(value, field_name, what):
    if value in (None, ""):
        return ZERO
    try:
        return parse_money(value)
    except MoneyError as exc:
        raise OrderError(f"{what}: {exc.message}", field=field_name) from None


def _open_returns(order, but=None):
    """The order's returns still waiting to be refunded or rejected, with their lines
    (``but``: the return being refunded, whose units are the ones credited)."""
    returns = Return.objects.filter(order=order, status__in=Return.OPEN)
    if but is not None:
        returns = returns.exclude(pk=but.pk)
    return list(returns.prefetch_related("lines").order_by("pk"))


def _held(open_returns):
    """{order line id: units} the open returns wait to have credited."""
    held = defaultdict(int)
    for ret in open_returns:
        for line in ret.lines.all():
            held[line.order_line_id] += line.quantity
    return held


def refundable_units(order, state=None):
    """{order line id: units} a partial refund may credit: ordered, less what credit notes
    credited, less what open returns hold (those units are credited by refunding their
    return, so crediting them here would pay them back twice — or leave the return
    unrefundable). The rule :func:`plan_credit_note` enforces under the order's lock; the
    partial refund form's maximum per line shows it. Gift cards bought with the order are
    among them: the giftcards app takes back a card that is unspent, and refuses one that
    has been used."""
    state = state or order_state(order)
    held = _held(_open_returns(order))
    units = {}
    for p in state.progress:
        left = p.creditable - held[p.line.pk]
        if left > 0:
            units[p.line.pk] = left
    return units


def _held_value(order, order_lines, after, share_after, held):
    """What the units ``held`` by open returns will credit once their returns are refunded
    after the credit notes that bring the credited units to ``after``: their price less
    their share of the goods discount."""
    if not held:
        return ZERO
    with_held = dict(after)
    price = ZERO
    by_id = {line.pk: line for line in order_lines}
    for line_id, units in held.items():
        with_held[line_id] = with_held.get(line_id, 0) + units
        price += by_id[line_id].unit_price * units
    _gross, share_with_held = _gross_by_rate(order, order_lines, with_held, ZERO)
    return price - (share_with_held - share_after)


def _is_withdrawal_return(return_request):
    return return_request.withdrawal_id is not None or (
        return_request.reason == Return.Reason.WITHDRAWAL
    )


class OwedShipping(Decimal):
    """The delivery costs a credit note must credit (:func:`withdrawal_shipping_owed`): an
    amount that also says why. ``standard``: the least expensive standard delivery the
    checkout offered (:func:`standard_delivery`) when the customer chose a dearer one
    (``chosen``) and only its cost is owed; both None when what the order charged for
    delivery is owed. The forms prefill the amount and say why in their help text."""

    standard = None
    chosen = None

    def __new__(cls, value, standard=None, chosen=None):
        owed = super().__new__(cls, value)
        owed.standard = standard
        owed.chosen = chosen
        return owed


def standard_delivery(order):
    """(method, cost): the least expensive standard delivery the checkout offered for
    ``order`` and what it would have charged the order — or None (no active method).

    The shop's shipping methods have no mark telling standard from express delivery, so the
    standard delivery is the method that would have cost the order least, as the placement
    kept it (``Order.standard_shipping_method``/``standard_shipping_cost``: the methods and
    prices of that day, for the order's delivery country, the free-shipping threshold
    against the gross goods value). An order placed before that was kept: today's active
    methods that deliver to its country, priced as the checkout prices them (the threshold
    against the goods value the order's lines hold)."""
    if order.standard_shipping_method_id is not None:
        return order.standard_shipping_method, order.standard_shipping_cost
    return least_expensive_delivery(order, discountable_total(order.lines.all()))


def withdrawal_shipping_owed(order, lines=None, *, return_request=None, notes=None):
    """The delivery costs a credit note of ``order`` crediting ``lines`` ({order line id:
    units}) must credit (ZERO: none required; else an :class:`OwedShipping`) — one rule for
    a partial refund and a return's refund (``return_request``: the return whose lines are
    credited).

    On withdrawal the trader refunds every payment including the costs of delivery — but
    not the supplementary costs of a delivery the consumer chose other than the least
    expensive standard delivery offered (Art. 13(1), (2) Directive 2011/83/EU, § 357 (2)
    BGB): what is owed is what the order charged for delivery (after a free-shipping
    discount), at most what the standard delivery would have cost it
    (:func:`standard_delivery`; in full when the customer chose it), less what credit notes
    credited of the delivery costs. The operator may credit more, up to what was charged.
    Owed once the consumer has withdrawn from the whole contract: by the note that leaves
    every unit of the order credited while a withdrawal statement received in the withdrawal
    period is on record for it — whichever way the operator settles it — and, for the refund
    of a withdrawal return, as soon as its statement names the whole order or the return's
    units (or the statement's) with those credited before make up every unit of it. A
    partial withdrawal owes no delivery costs (the operator may credit them all the same),
    and a statement received after the withdrawal period gives no such right: the operator
    decides. ``order``: as read (locked) by the caller; ``notes``: its credit notes, if the
    caller has them."""
    notes = order.credit_notes if notes is None else notes
    charged = order.shipping_total - order.shipping_discount
    credited_shipping = sum((note.shipping_total for note in notes), ZERO)
    if charged - credited_shipping <= 0:
        return ZERO
    credited = credited_units(notes)
    coming = defaultdict(int)
    for line_id, units in (lines or {}).items():
        coming[int(line_id)] += int(units)
    order_lines = list(order.lines.all())

    def completes(extra):
        return all(credited[line.pk][0] + extra(line.pk) >= line.quantity for line in order_lines)

    def owed():
        standard = standard_delivery(order)
        if standard is not None:
            method, cost = standard
            if method.pk != order.shipping_method_id and cost < charged:
                # the customer chose a dearer delivery: its extra cost is not owed
                amount = max(ZERO, cost - credited_shipping)
                return OwedShipping(amount, method, order.shipping_method) if amount else ZERO
        return OwedShipping(charged - credited_shipping)

    if return_request is not None and _is_withdrawal_return(return_request):
        withdrawal = return_request.withdrawal
        if withdrawal is None or not withdrawal.is_late:
            if withdrawal is not None and withdrawal.whole_order:
                return owed()
            # The return is made from the units the statement names: counted once.
            named = defaultdict(int)
            for item in withdrawal.items if withdrawal is not None else ():
                named[item["line"]] += item["quantity"]
            if completes(lambda pk: max(coming[pk], named[pk])):
                return owed()
    if (
        completes(lambda pk: coming[pk])
        and Withdrawal.objects.filter(order=order, is_late=False).exists()
    ):
        return owed()
    return ZERO


def _refuse_short_shipping(order, shipping, due):
    """A credit note settling a withdrawal from the whole order is not issued without the
    delivery costs owed (:func:`withdrawal_shipping_owed`): raises the reason."""
    if not due or shipping >= due:
        return
    amount = format_money(due, order.currency)
    if getattr(due, "standard", None) is not None:
        raise OrderError(
            _(
                "The customer has withdrawn from the whole order: at least %(amount)s of the "
                "delivery costs must be refunded (the standard delivery %(standard)s; the "
                "customer chose %(method)s). Enter them as the shipping to credit."
            )
            % {
                "amount": amount,
                "standard": due.standard.name,
                "method": due.chosen.name,
                "currency": order.currency,
            },
            field="shipping",
        )
    raise OrderError(
        _(
            "The customer has withdrawn from the whole order: the delivery costs of "
            "%(amount)s must be refunded as well. Enter them as the shipping to credit."
        )
        % {"amount": amount, "currency": order.currency},
        field="shipping",
    )


def _credit_line_steps(order, credit_lines, before, reference="", preview=False):
    """The credit line steps of the apps (``orders.extensions``) for ``credit_lines``: what
    they say they will do; a step's refusal becomes the note's."""
    lines = [
        extensions.CreditedLine(cl.line, cl.quantity, before.get(cl.line.pk, 0))
        for cl in credit_lines
    ]
    notices = []
    for step in extensions.credit_line_steps():
        try:
            said = step.credit(order, lines, reference=reference, preview=preview)
        except OrderError:
            raise
        except DomainError as exc:
            raise OrderError(exc.message) from exc
        notices.extend(said or ())
    return notices


def plan_credit_note(
    order,
    lines=None,
    shipping=ZERO,
    adjustment=ZERO,
    adjustment_text="",
    *,
    final=False,
    from_return=False,
    to_account=False,
):
    """What a credit note for ``lines`` ({order line id: units}), ``shipping`` and
    ``adjustment`` would credit (``final``: everything not credited yet). Raises
    ``OrderError`` for what cannot be credited; where the money goes is added by
    :func:`_distribute` (``to_account``: what would go back via the payment method goes to
    the customer's account credit). Reads the order as it is: call it under the order's lock
    to act.

    ``from_return``: the return whose lines are credited (``orders.services.returns``); the
    units and the value the other open returns hold stay theirs (:func:`refundable_units`)."""
    invoice = Invoice.objects.filter(order=order).first()
    if invoice is None:
        raise OrderError(
            _("Order %(number)s has not been invoiced; cancel it instead of refunding it.")
            % {"number": order.number}
        )
    if to_account:
        _refuse_account_credit(order)
    notes = _credit_notes(order)
    order_lines = list(order.lines.all())
    by_id = {line.pk: line for line in order_lines}
    credited = credited_units(notes)
    state = order_state(order)
    progress = {p.line.pk: p for p in state.progress}
    before = {line_id: units for line_id, (units, _cancelled) in credited.items()}
    shipping_charged = order.shipping_total - order.shipping_discount
    shipping_before = sum((note.shipping_total for note in notes), ZERO)
    remaining_total = order.grand_total - order.credited_total
    adjustment_text = (adjustment_text or "").strip()
    if len(adjustment_text) > ADJUSTMENT_TEXT_MAX:
        raise OrderError(
            _("The adjustment text is too long (at most %(max)s characters).")
            % {"max": ADJUSTMENT_TEXT_MAX},
            field="adjustment_text",
        )

    # A return being refunded credits its own units: the other open returns still hold theirs.
    returning = from_return if isinstance(from_return, Return) else None
    open_returns = [] if from_return and returning is None else _open_returns(order, returning)
    if final and open_returns:
        # The full refund would credit the units an open return waits to have credited: that
        # return could then neither be refunded nor closed but by a rejection e-mailed to
        # the customer.
        raise OrderError(
            _(
                "Order %(number)s has an open return (%(returns)s): refund or reject it "
                "before refunding the whole order."
            )
            % {"number": order.number, "returns": ", ".join(r.number for r in open_returns)}
        )
    held = _held(open_returns)
    if final:
        wanted = {p.line.pk: p.creditable for p in state.progress if p.creditable}
        shipping = shipping_charged - shipping_before
    else:
        wanted = _parse_quantities(lines, progress)
        shipping = _amount(shipping, "shipping", _("Shipping"))
        adjustment = _amount(adjustment, "adjustment", _("Adjustment"))
        for line_id, units in wanted.items():
            p = progress[line_id]
            if units > p.creditable:
                raise OrderError(
                    _("Only %(left)s × %(name)s left to credit.")
                    % {"left": p.creditable, "name": p.line.name}
                )
            if units > p.creditable - held[line_id]:
                raise OrderError(
                    _(
                        "Only %(left)s × %(name)s can be credited here: %(held)s × are in an "
                        "open return (%(returns)s) — refund them from the return."
                    )
                    % {
                        "left": max(p.creditable - held[line_id], 0),
                        "name": p.line.name,
                        "held": held[line_id],
                        "returns": ", ".join(r.number for r in open_returns),
                    }
                )
        if shipping < 0:
            raise OrderError(_("Shipping to credit cannot be negative."), field="shipping")
        if shipping > shipping_charged - shipping_before:
            raise OrderError(
                _("Only %(left)s of shipping left to credit.")
                % {
                    "left": format_money(shipping_charged - shipping_before, order.currency),
                    "currency": order.currency,
                },
                field="shipping",
            )
        if adjustment and not adjustment_text:
            raise OrderError(
                _("Please say what the adjustment is for (the customer reads it)."),
                field="adjustment_text",
            )
        _refuse_short_shipping(
            order,
            shipping,
            withdrawal_shipping_owed(order, wanted, return_request=returning, notes=notes),
        )

    credit_lines = []
    for line_id, units in wanted.items():
        p = progress[line_id]
        if from_return:
            # Returned goods were delivered, whatever their kind (a gift card, too): they
            # went back to stock when the return was received, if the operator said so.
            unshipped = 0
        elif p.line.needs_shipping:
            unshipped = min(units, p.remaining)
        else:
            unshipped = units
        credit_lines.append(CreditLine(p.line, units, unshipped))
    goods_total = sum((cl.total for cl in credit_lines), ZERO)
    after = dict(before)
    for cl in credit_lines:
        after[cl.line.pk] = after.get(cl.line.pk, 0) + cl.quantity
    gross_before, share_before = _gross_by_rate(order, order_lines, before, shipping_before)
    gross_after, share_after = _gross_by_rate(order, order_lines, after, shipping_before + shipping)
    discount_total = share_after - share_before
    everything = all(after.get(line.pk, 0) >= line.quantity for line in order_lines) and (
        shipping_before + shipping >= shipping_charged
    )

    if final:
        discount_total = (order.discount_total - order.shipping_discount) - sum(
            (note.discount_total for note in notes), ZERO
        )
        # Gives back earlier deductions (or takes back earlier extra credits): the
        # documents print it as the balance of earlier adjustments, in their language.
        adjustment = remaining_total - (goods_total - discount_total + shipping)
        adjustment_text = ""
    total = goods_total - discount_total + shipping + adjustment
    if not final:
        # Nothing to credit is refused — except goods a discount paid for entirely (two
        # units at 10.00 with a 20.00 code): a note of 0.00 settles their return, which else
        # could only be rejected (``credit_note_positive``).
        free_goods = total == 0 and goods_total > 0 and discount_total == goods_total
        if total < 0 or (total == 0 and not free_goods):
            raise OrderError(_("Choose what to credit: the credit note total must be positive."))
        if total > remaining_total:
            raise OrderError(
                _("Only %(left)s of the invoice are left to credit.")
                % {
                    "left": format_money(remaining_total, order.currency),
                    "currency": order.currency,
                }
            )
        # A gift card bought with the order is credited only as its line, which takes the
        # card back (blocked, its value voided): a note — an adjustment above all — must
        # not pay out the value of the cards the customer keeps (and may have spent). Units
        # an open return holds are kept for it (their value is ``held_value`` below).
        cards_left = sum(
            (
                line.unit_price * (line.quantity - after.get(line.pk, 0) - held[line.pk])
                for line in order_lines
                if line.is_giftcard
            ),
            ZERO,
        )
        if cards_left and total > remaining_total - cards_left:
            raise OrderError(
                _(
                    "Only %(left)s can be credited: the gift cards bought with the order "
                    "that the customer keeps (%(cards)s) are refunded only with their lines, "
                    "which takes the cards back."
                )
                % {
                    "left": format_money(max(ZERO, remaining_total - cards_left), order.currency),
                    "cards": format_money(cards_left, order.currency),
                    "currency": order.currency,
                }
            )
        # The open returns' units keep their value for the return's own credit note: an
        # adjustment (or shipping) here must not credit the money they will be refunded with.
        held_value = _held_value(order, order_lines, after, share_after, held)
        if held_value and total > remaining_total - cards_left - held_value:
            raise OrderError(
                _(
                    "Only %(left)s can be credited here: %(held)s are kept for the open "
                    "return (%(returns)s), which is refunded from the return."
                )
                % {
                    "left": format_money(
                        max(ZERO, remaining_total - cards_left - held_value), order.currency
                    ),
                    "held": format_money(held_value, order.currency),
                    "returns": ", ".join(r.number for r in open_returns),
                    "currency": order.currency,
                }
            )
        if total == remaining_total and not everything:
            raise OrderError(
                _("This would credit the whole rest of the invoice: use the full refund for that.")
            )
    is_final = final or total == remaining_total
    # The apps that delivered the credited lines check them (a gift card must be unspent).
    notices = [] if final else _credit_line_steps(order, credit_lines, before, preview=True)

    by_category, left = _remaining_rows(invoice, notes)
    if is_final:
        # Exactly what the invoice charged less what earlier notes credited.
        tax_rows = _final_rows(by_category, left)
    else:
        rows = {}
        for rate in set(gross_before) | set(gross_after):
            a, b = gross_after.get(rate, ZERO), gross_before.get(rate, ZERO)
            rows[rate] = [net_of(a, rate) - net_of(b, rate), a - b]
        if adjustment:
            # What each rate has left to credit after this note's lines — not the gift
            # cards bought with the order (refunded only with their lines; their 0 % row is
            # no revenue): an extra credit never lands on a rate credited in full already.
            room = defaultdict(lambda: ZERO)
            for (_category, rate), (_net, _tax, gross) in left.items():
                room[rate] += gross
            for line in order_lines:
                if line.is_giftcard:
                    room[line.tax_rate] -= line.unit_price * (line.quantity - after.get(line.pk, 0))
            for rate, (_net, gross) in rows.items():
                room[rate] -= gross
            weights = {rate: v[1] for rate, v in rows.items() if v[1] > 0}
            if not weights:
                # An adjustment alone: over what is left to credit at each rate.
                weights = {rate: gross for rate, gross in room.items() if gross > 0}
            for rate, part in _spread_within(adjustment, weights, room).items():
                current = rows.setdefault(rate, [ZERO, ZERO])
                current[0] += net_of(part, rate)
                current[1] += part
        snapshot = _planned_snapshot(
            invoice,
            credit_lines,
            _rows({rate: tuple(v) for rate, v in rows.items()}),
            shipping_total=shipping,
            discount_total=discount_total,
            adjustment=adjustment,
            adjustment_text=adjustment_text,
            grand_total=total,
        )
        tax_rows = _within(document_figures(snapshot, match_stored=False), by_category, left)

    points_before = _points_value(by_id, notes)
    points_now = (
        sum((cl.total for cl in credit_lines if not cl.line.is_giftcard), ZERO) - discount_total
    )
    return CreditPlan(
        order=order,
        lines=credit_lines,
        goods_total=goods_total,
        discount_total=discount_total,
        shipping_total=shipping,
        adjustment=adjustment,
        adjustment_text=adjustment_text,
        tax_rows=tax_rows,
        is_final=is_final,
        points_value_before=points_before,
        points_value_after=(
            _points_base(order, order_lines) if is_final else points_before + points_now
        ),
        credited_before=before,
        full_refund=final,
        notices=notices,
        to_account=bool(to_account),
    )


def _distribute(plan, reference="", preview=False, user=None):
    """Where ``plan``'s total goes (see the module's docstring); books it unless
    ``preview``. Fills the plan's money fields and the points to take back. ``user``: who
    issues the note (the account-credit step counts what it books instead of a payout
    against their daily limit)."""
    order = plan.order
    left = plan.grand_total
    if not order.is_paid:
        plan.due_reduction = min(left, order.balance_due)
        left -= plan.due_reduction
        # Then the part payments of a partly paid order beyond what is still due after the
        # note: the payment method's money, paid back (or booked to the account) by this
        # note before a gift card gets anything (``lifecycle.settle_part_payments`` makes
        # the order paid).
        plan.overpaid_total = min(left, order.received_total)
        left -= plan.overpaid_total
    for step in extensions.refund_steps():
        if left <= 0:
            break
        given = step.refund(order, left, reference=reference, preview=preview) or {}
        for name, amount in given.items():
            if name not in extensions.REFUND_FIELDS or not ZERO <= amount <= left:
                raise ValueError(f"refund step {step.name} gave back {amount} as {name}")
            setattr(plan, name, getattr(plan, name) + amount)
            left -= amount
    if left > 0 and not order.is_paid:
        raise OrderError(_("This order has not been paid: there is nothing more to refund."))
    # What goes back through the payment method: the rest, and part payments beyond what is due.
    left += plan.overpaid_total
    if left > 0 and plan.to_account:
        # The operator's choice: to the customer's account credit, not the payment method.
        _refuse_account_credit(order)
        step = extensions.account_credit_step()
        booked = step.to_account(order, left, reference=reference, preview=preview, user=user)
        if booked != left:
            raise ValueError(f"refund step {step.name} booked {booked} of {left} on the account")
        plan.credit_total += left
        plan.account_total = left
        left = ZERO
    plan.paid_total = max(ZERO, left)
    if order.customer_id and order.is_paid:
        plan.points = loyalty.refund_points(
            order, plan.points_value_before, plan.points_value_after
        )
    return plan


def preview_credit_note(
    order,
    lines=None,
    shipping=ZERO,
    adjustment=ZERO,
    adjustment_text="",
    *,
    from_return=False,
    to_account=False,
):
    """The credit note the operator is about to confirm and where its money would go;
    nothing is locked or changed."""
    plan = plan_credit_note(
        order,
        lines,
        shipping,
        adjustment,
        adjustment_text,
        from_return=from_return,
        to_account=to_account,
    )
    return _distribute(plan, preview=True)


def cancel_refusal(order):
    """The first reason an app gives against undoing ``order`` as a whole (cancellation or
    full refund: ``signals.order_cancel_check``), or None."""
    for _receiver, refusal in signals.order_cancel_check.send(sender=Order, order=order):
        if refusal is not None:
            return refusal
    return None


def preview_full_refund(order, to_account=False):
    """What the full refund would credit and where the money goes — or the refusal the
    refund itself would raise, so the confirmation page never offers what will fail."""
    refusal = cancel_refusal(order)
    if refusal is not None:
        raise refusal
    plan = plan_credit_note(order, final=True, to_account=to_account)
    # What the refund does to the gift cards bought with the order (blocked, voided by the
    # receivers of ``order_canceled``), said on the confirmation page as for a partial note.
    # A card the steps would not take back as a line (blocked by staff) is voided all the
    # same by the full refund: no notice then, and the refusals are cancel_refusal's above.
    try:
        plan.notices = _credit_line_steps(order, plan.lines, plan.credited_before, preview=True)
    except OrderError:
        plan.notices = []
    return _distribute(plan, preview=True)


# --- issuing ------------------------------------------------------------------------------


def _check_reason(reason):
    reason = (reason or "").strip()
    if len(reason) > CREDIT_NOTE_REASON_MAX:
        raise OrderError(
            _("The note on the credit note is too long (at most %(max)s characters).")
            % {"max": CREDIT_NOTE_REASON_MAX},
            field="reason",
        )
    return reason


# The sentence the final note wrote before it said "credited" (history rows keep it: its
# translations stay in the catalogues).
FORMER_EVENT_SENTENCES = (gettext_noop("Order fully refunded and closed."),)


def _destination_parts(order, plan):
    """Where the money of the credit note ``plan`` went, for the order's history: one
    sentence per destination (:func:`_distribute`). What is to be refunded via the payment
    method is said as still to be paid out; :func:`mark_refunded` records the payout."""
    parts = []
    for amount, sentence in (
        (plan.due_reduction, gettext_noop("%(amount)s taken off the amount still due.")),
        (plan.giftcard_total, gettext_noop("%(amount)s back on the gift card it was paid with.")),
        (plan.credit_total, gettext_noop("%(amount)s back to the customer's account credit.")),
    ):
        if amount > 0:
            parts.append(events.part(sentence, amount=events.money(amount, order.currency)))
    if plan.paid_total > 0:
        parts.append(
            events.part(
                gettext_noop("%(amount)s to pay back via %(method)s."),
                amount=events.money(plan.paid_total, order.currency),
                method=events.method(order.payment_method),
            )
        )
    return parts


def _issue(locked, plan, user, reason, canceled=False):
    """Book ``plan`` for the locked order: number, money back, stock, status, e-mail.
    ``canceled``: the final note of an order canceled with it
    (``lifecycle.cancel_with_credit_note``): the order is Canceled, not Closed, and the
    caller writes the history's last word and e-mails the note with the cancellation."""
    lock_for_release(
        locked,
        [cl.line.product_id for cl in plan.lines if cl.line.product_id and cl.unshipped],
        final=plan.is_final,
    )
    invoice = Invoice.objects.select_for_update().get(order=locked)
    year = timezone.localdate().year
    sequence = next_invoice_number(year, counter_model=CreditNoteCounter)
    number = f"CN-{year}-{sequence:06d}"
    was_paid = locked.is_paid
    if not plan.full_refund:
        # e.g. the gift cards credited are blocked and voided (or the note is refused)
        _credit_line_steps(locked, plan.lines, plan.credited_before, reference=number)
    _distribute(plan, reference=number, user=user)
    credit_note = CreditNote.objects.create(
        invoice=invoice,
        number=number,
        year=year,
        sequence=sequence,
        created_by=user,
        reason=reason,
        seller=seller_record(),
        lines=[
            {
                # the VAT category, unit and kind the e-invoice needs (``einvoice.LINE_FACTS``)
                **line_snapshot(cl.line, invoice.reverse_charge, invoice.export_delivery),
                "line": cl.line.pk,
                "quantity": cl.quantity,
                "line_total": str(cl.total),
                "unshipped": cl.unshipped,
            }
            for cl in plan.lines
        ],
        tax_rows=[{k: str(v) for k, v in row.items()} for row in plan.tax_rows],
        goods_total=plan.goods_total,
        discount_total=plan.discount_total,
        shipping_total=plan.shipping_total,
        adjustment=plan.adjustment,
        adjustment_text=plan.adjustment_text,
        grand_total=plan.grand_total,
        giftcard_total=plan.giftcard_total,
        credit_total=plan.credit_total,
        account_total=plan.account_total,
        paid_total=plan.paid_total,
        is_final=plan.is_final,
    )
    # The constraint order_credited_within_total refuses anything above the invoice.
    Order.objects.filter(pk=locked.pk).update(credited_total=F("credited_total") + plan.grand_total)
    locked.refresh_from_db(fields=["credited_total"])

    returned = defaultdict(int)
    for cl in plan.lines:
        if cl.line.product_id and cl.unshipped:
            returned[cl.line.product_id] += cl.unshipped
    _return_stock(returned)
    # A download credited in full is closed (the note is saved: it counts already).
    credited = credited_units(_credit_notes(locked))
    closed = [
        cl.line.pk
        for cl in plan.lines
        if cl.line.is_downloadable and credited[cl.line.pk][0] >= cl.line.quantity
    ]
    if closed:
        DownloadLink.objects.filter(
            order=locked, order_line_id__in=closed, expires_at__gt=timezone.now()
        ).update(expires_at=timezone.now())

    fields = ["payment_status"]
    if plan.is_final:
        locked.status = Order.Status.CANCELED if canceled else Order.Status.CLOSED
        fields.append("status")
    if was_paid:
        # "Refund pending" while this note's (or an earlier one's) payout is not recorded
        locked.payment_status = refund_status(locked)
    locked.save(update_fields=fields)
    if was_paid and locked.customer_id:
        loyalty.reverse_points_for_refund(
            locked,
            plan.points_value_before,
            plan.points_value_after,
            [events.part(gettext_noop("Credit note %(number)s"), number=number)],
        )
    _event(
        locked,
        events.part(
            gettext_noop("Credit note %(number)s of %(amount)s created for invoice %(invoice)s."),
            number=number,
            amount=events.money(plan.grand_total, locked.currency),
            invoice=invoice.number,
        ),
        *_destination_parts(locked, plan),
        user=user,
    )
    if not was_paid:
        # a partly paid order whose part payments now cover what is still due is paid
        settle_part_payments(locked, user)
    if plan.is_final:
        _close_downloads(locked)
        if not canceled:
            _event(
                locked,
                events.part(
                    gettext_noop("Order fully credited (credit note %(number)s) and closed."),
                    number=number,
                ),
                user=user,
            )
        signals.order_canceled.send(sender=Order, order=locked)
    if canceled:
        return credit_note
    queue_email(
        "order_refunded" if plan.is_final else "order_credit_note",
        locked.email,
        {
            "order": locked,
            "credit_note": credit_note,
            "invoice": invoice,
            "order_url": links.customer_order_url(locked),
            "document_notes": extensions.credit_note_notes(credit_note, locked.language),
        },
        language=locked.language,
        attachments=[_pdf_attachment(credit_note, "credit_note_pdf_bytes")],
    )
    credit_note.sent_at = timezone.now()
    credit_note.save(update_fields=["sent_at"])
    return credit_note


def create_credit_note(
    order,
    lines=None,
    shipping=ZERO,
    adjustment=ZERO,
    adjustment_text="",
    reason="",
    user=None,
    *,
    from_return=False,
    seen_notes=None,
    to_account=False,
):
    """A partial refund: credit ``lines`` ({order line id: units}), ``shipping`` and a signed
    ``adjustment`` of the invoiced ``order`` with a new credit note, e-mailed to the
    customer. The note that credits the whole rest of the invoice closes the order.
    ``to_account``: what would go back via the payment method goes to the customer's account
    credit instead (refused for an order without a customer account).

    ``seen_notes``: how many credit notes the order had when the operator looked at the
    refund; checked under the order's lock, so a form sent twice issues one note (an
    adjustment alone could otherwise be credited again and again)."""
    reason = _check_reason(reason)
    with transaction.atomic():
        locked = _lock(order)
        _refuse_if_final(locked, _("refunded"))
        if (
            seen_notes is not None
            and CreditNote.objects.filter(invoice__order=locked).count() != seen_notes
        ):
            raise OrderError(
                _(
                    "A credit note of this order has been created since you looked at the "
                    "refund: nothing was created. Please check the refund again."
                )
            )
        plan = plan_credit_note(
            locked,
            lines,
            shipping,
            adjustment,
            adjustment_text,
            from_return=from_return,
            to_account=to_account,
        )
        credit_note = _issue(locked, plan, user, reason)
        _finish(order, locked)
    return credit_note


def refund_order(order, user=None, reason="", to_account=False):
    """Full refund of an invoiced order → Closed: a credit note for everything not credited
    yet (after partial refunds: the rest, giving back earlier deductions). Goods not shipped
    go back into stock; the receivers of ``order_canceled`` release the discount code and
    block gift cards bought with the order. The invoice stays as issued. ``to_account``: as
    for :func:`create_credit_note`."""
    reason = _check_reason(reason)
    with transaction.atomic():
        locked = _lock(order)
        _refuse_if_final(locked, _("refunded"))
        plan = plan_credit_note(locked, final=True, to_account=to_account)
        _issue(locked, plan, user, reason)
        return _finish(order, locked)


def reverse_points_of_credit_notes(locked):
    """Called when an order with credit notes is paid: the points just earned on goods
    credited before the payment are taken back at once."""
    notes = _credit_notes(locked)
    lines = {line.pk: line for line in locked.lines.all()}
    value = _points_value(lines, notes)
    if value > 0 and locked.customer_id:
        loyalty.reverse_points_for_refund(
            locked,
            ZERO,
            value,
            [events.part(gettext_noop("Credit notes of order %(number)s"), number=locked.number)],
        )


# --- after issuing ------------------------------------------------------------------------


def mark_refunded(credit_note, user=None):
    """The operator has paid back the credit note's ``paid_total`` through the payment method
    (bank transfer, card refund in the payment provider's portal)."""
    with transaction.atomic():
        locked = _lock(credit_note.invoice.order)
        note = CreditNote.objects.select_for_update().get(pk=credit_note.pk)
        if note.paid_total <= 0:
            raise OrderError(
                _("Credit note %(number)s has nothing to refund via the payment method.")
                % {"number": note.number}
            )
        if note.refunded_at is not None:
            raise OrderError(
                _("Credit note %(number)s has already been marked as refunded.")
                % {"number": note.number}
            )
        note.refunded_at = timezone.now()
        note.refunded_by = user if user is not None and user.is_authenticated else None
        note.save(update_fields=["refunded_at", "refunded_by"])
        if locked.payment_status == Order.PaymentStatus.REFUND_PENDING:
            # the last payout recorded: Refunded (closed) or Partly refunded (it stands)
            locked.payment_status = refund_status(locked)
            locked.save(update_fields=["payment_status"])
        _event(
            locked,
            events.part(
                gettext_noop("%(amount)s of credit note %(number)s refunded via %(method)s."),
                amount=events.money(note.paid_total, locked.currency),
                number=note.number,
                method=events.method(locked.payment_method),
            ),
            user=user,
        )
        emails.refund_paid_out(locked, note.paid_total, credit_note=note)
    credit_note.refunded_at = note.refunded_at
    return note


def send_credit_note(credit_note, user=None):
    """E-mail the credit note PDF to the customer again."""
    with transaction.atomic():
        locked = _lock(credit_note.invoice.order)
        note = (
            CreditNote.objects.select_for_update().select_related("invoice").get(pk=credit_note.pk)
        )
        queue_email(
            "order_credit_note",
            locked.email,
            {
                "order": locked,
                "credit_note": note,
                "invoice": note.invoice,
                "order_url": links.customer_order_url(locked),
                "document_notes": extensions.credit_note_notes(note, locked.language),
            },
            language=locked.language,
            attachments=[_pdf_attachment(note, "credit_note_pdf_bytes")],
        )
        note.sent_at = timezone.now()
        note.save(update_fields=["sent_at"])
        _event(
            locked,
            events.part(
                gettext_noop("Credit note %(number)s sent by e-mail to %(email)s."),
                number=note.number,
                email=locked.email,
            ),
            user=user,
        )
    return note
