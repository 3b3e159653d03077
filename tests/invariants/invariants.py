"""The money invariants of the shop (issue 18), each computed independently of the code that
keeps it: from the rows, in Python. ``check_all`` runs them all; each raises an
``AssertionError`` that names the invariant and the row."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from customers.models import LoyaltyAccount, LoyaltyEntry, User
from giftcards.models import CreditAccount, GiftCard, LedgerEntry
from orders import limits
from orders.models import CreditNote, Invoice, Order
from vouchers.models import Code, Redemption

ZERO = Decimal("0.00")
FINAL = (Order.Status.CANCELED, Order.Status.CLOSED)
ISSUED = (*Order.PAID_STATUSES, Order.PaymentStatus.REFUNDED)
PAID = Order.PAID_STATUSES


def check_all(invoices_seen=(), credit_notes_seen=()):
    stored_value_balances_equal_their_ledgers()
    order_totals_add_up()
    gift_cards_are_issued_for_what_was_paid()
    codes_are_used_within_their_limits()
    loyalty_balances_equal_their_ledgers()
    invoices_and_credit_notes_are_gapless_complete_and_match_their_orders(
        invoices_seen, credit_notes_seen
    )
    open_amount_is_what_is_still_due()


def stored_value_balances_equal_their_ledgers():
    """Every gift card and credit account: balance = sum of its ledger ≥ 0."""
    for model, field in ((GiftCard, "card"), (CreditAccount, "account")):
        sums = dict(
            LedgerEntry.objects.filter(**{f"{field}__isnull": False})
            .values_list(field)
            .annotate(s=Sum("amount"))
            .values_list(field, "s")
        )
        for holder in model.objects.all():
            ledger = sums.get(holder.pk, ZERO)
            assert holder.balance == ledger, (
                f"{model.__name__} {holder.pk}: {holder.balance} ≠ ledger {ledger}"
            )
            assert holder.balance >= 0, f"{model.__name__} {holder.pk} negative: {holder.balance}"


def _stored_value_taken_by_order():
    """{order id: (taken from cards, taken from accounts)} net of refunds, from the ledger."""
    taken = defaultdict(lambda: [ZERO, ZERO])
    rows = LedgerEntry.objects.filter(order__isnull=False, kind__in=["spend", "refund"])
    for order_id, card_id, amount in rows.values_list("order", "card", "amount"):
        taken[order_id][0 if card_id else 1] -= amount
    return {order_id: tuple(pair) for order_id, pair in taken.items()}


def _given_back_by_credit_notes():
    """{order id: (back to cards, back to accounts)} as the order's credit notes say."""
    back = defaultdict(lambda: [ZERO, ZERO])
    for order_id, card, credit in CreditNote.objects.values_list(
        "invoice__order", "giftcard_total", "credit_total"
    ):
        back[order_id][0] += card
        back[order_id][1] += credit
    return back


def order_totals_add_up():
    """Order totals = lines − discounts + shipping; paid + due = total; what gift cards and
    credit paid is what their ledgers lost for the order, less what credit notes gave back
    (everything when it is canceled or fully refunded)."""
    taken = _stored_value_taken_by_order()
    back = _given_back_by_credit_notes()
    for order in Order.objects.prefetch_related("lines"):
        lines = list(order.lines.all())
        name = f"order {order.number}"
        for line in lines:
            assert line.line_total == line.unit_price * line.quantity, f"{name}: line {line}"
        goods = sum((line.line_total for line in lines), ZERO)
        assert order.goods_total == goods, f"{name}: goods {order.goods_total} ≠ lines {goods}"
        assert 0 <= order.shipping_discount <= order.shipping_total, f"{name}: shipping discount"
        assert order.shipping_discount <= order.discount_total, f"{name}: discounts"
        expected = max(ZERO, goods + order.shipping_total - order.discount_total)
        assert order.grand_total == expected, f"{name}: total {order.grand_total} ≠ {expected}"
        prepaid = order.giftcard_total + order.credit_total
        assert 0 <= prepaid <= order.grand_total, f"{name}: prepaid {prepaid} > total"
        collected = order.amount_due if order.payment_status in PAID else ZERO
        due = ZERO if order.payment_status in PAID else order.amount_due
        assert prepaid + collected + due == order.grand_total, f"{name}: paid + due ≠ total"
        if prepaid and order.amount_due == 0 and order.status not in FINAL:
            assert order.payment_status in PAID, f"{name}: covered, unpaid"
        card, credit = taken.get(order.pk, (ZERO, ZERO))
        card_back, credit_back = back.get(order.pk, (ZERO, ZERO))
        if order.status in FINAL:
            assert (card, credit) == (ZERO, ZERO), f"{name}: {card}/{credit} not given back"
        else:
            assert card == order.giftcard_total - card_back, f"{name}: cards lost {card}"
            assert credit == order.credit_total - credit_back, f"{name}: credit lost {credit}"


def gift_cards_are_issued_for_what_was_paid():
    """The value issued for the gift-card lines of a paid order is the amount paid for them:
    a discount never makes a gift card cheaper than its value. Unpaid orders issue nothing;
    cards of a canceled or refunded order are blocked."""
    cards = defaultdict(list)
    for card in GiftCard.objects.filter(issued_by_order__isnull=False):
        cards[card.issued_by_order_id].append(card)
    for order in Order.objects.prefetch_related("lines"):
        lines = list(order.lines.all())
        name = f"order {order.number}"
        card_goods = sum((li.line_total for li in lines if li.is_giftcard), ZERO)
        other_goods = sum((li.line_total for li in lines if not li.is_giftcard), ZERO)
        goods_discount = order.discount_total - order.shipping_discount
        # Whatever discount the other goods cannot absorb was taken off the gift cards.
        paid_for_cards = card_goods - max(ZERO, goods_discount - other_goods)
        issued = sum((card.initial_value for card in cards[order.pk]), ZERO)
        if order.payment_status in ISSUED:
            assert issued == paid_for_cards, (
                f"{name}: {issued} of gift cards issued, {paid_for_cards} paid for them"
            )
        else:
            assert issued == 0, f"{name}: cards issued before payment"
        if order.status in FINAL:
            assert all(card.is_blocked for card in cards[order.pk]), f"{name}: cards not blocked"


def codes_are_used_within_their_limits():
    """Codes: uses ≤ limit; a single-use code on at most one order that is not canceled or
    refunded; an order's code has exactly one use while the order stands."""
    uses = defaultdict(list)
    for redemption in Redemption.objects.select_related("campaign", "order"):
        uses[redemption.code_id].append(redemption)
    for code in Code.objects.select_related("campaign"):
        campaign = code.campaign
        if campaign.single_use:
            assert len(uses[code.pk]) <= 1, f"code {code.text} used {len(uses[code.pk])}×"
        if campaign.per_customer_limit:
            per_customer = defaultdict(int)
            for r in uses[code.pk]:
                per_customer[r.order.email.lower()] += 1  # guest and account alike
            assert max(per_customer.values(), default=0) <= campaign.per_customer_limit, (
                f"code {code.text} over its per-customer limit"
            )
    standing = defaultdict(int)
    for order in Order.objects.exclude(voucher_code=""):
        if order.status in FINAL:
            assert not order.voucher_redemptions.exists(), f"order {order.number} kept its code"
        else:
            standing[order.voucher_code] += 1
            assert order.voucher_redemptions.count() == 1, f"order {order.number}: no use"
    for code in Code.objects.filter(text__in=list(standing)).select_related("campaign"):
        if code.campaign.single_use:
            assert standing[code.text] <= 1, f"single-use {code.text} on {standing[code.text]}"


def loyalty_balances_equal_their_ledgers():
    """Loyalty: balance = ledger. (It may be below zero: points of a canceled or refunded
    order that were spent meanwhile are owed — customers.loyalty; never by spending.)"""
    sums = dict(
        LoyaltyEntry.objects.values_list("customer")
        .annotate(s=Sum("points"))
        .values_list("customer", "s")
    )
    for account in LoyaltyAccount.objects.all():
        ledger = sums.get(account.customer_id, 0)
        assert account.balance == ledger, (
            f"points of {account.customer_id}: {account.balance} ≠ {ledger}"
        )


def _gapless(rows, what):
    by_year = defaultdict(list)
    for year, sequence in rows:
        by_year[year].append(sequence)
    for year, sequences in by_year.items():
        assert sorted(sequences) == list(range(1, len(sequences) + 1)), (
            f"{what} {year}: numbers {sorted(sequences)} not gapless"
        )


def invoices_and_credit_notes_are_gapless_complete_and_match_their_orders(
    invoices_seen=(), credit_notes_seen=()
):
    """Invoices and credit notes: numbers per series gapless and unique, never deleted;
    invoice totals = order totals; credit notes ≤ invoiced, each adding up (lines, VAT rows,
    where the money went), their sum the order's credited total; an order is Closed exactly
    when its credit notes add up to the invoice."""
    invoices = list(Invoice.objects.select_related("order"))
    _gapless([(i.year, i.sequence) for i in invoices], "invoices")
    assert len({i.number for i in invoices}) == len(invoices), "invoice numbers not unique"
    missing = set(invoices_seen) - {i.number for i in invoices}
    assert not missing, f"invoices deleted: {sorted(missing)}"
    fields = ("goods_total", "shipping_total", "discount_total", "grand_total")
    for invoice in invoices:
        order = invoice.order
        for f in (*fields, "giftcard_total", "credit_total"):
            assert getattr(invoice, f) == getattr(order, f), f"invoice {invoice.number}: {f}"
        gross = sum((row["gross"] for row in invoice.typed_tax_rows), ZERO)
        assert gross == invoice.grand_total, f"invoice {invoice.number}: tax rows {gross}"
    notes = list(CreditNote.objects.select_related("invoice__order"))
    _gapless([(n.year, n.sequence) for n in notes], "credit notes")
    missing = set(credit_notes_seen) - {n.number for n in notes}
    assert not missing, f"credit notes deleted: {sorted(missing)}"
    credited = defaultdict(lambda: ZERO)
    for note in notes:
        name = f"credit note {note.number}"
        credited[note.invoice_id] += note.grand_total
        goods = sum((line["line_total"] for line in note.typed_lines), ZERO)
        assert goods == note.goods_total, f"{name}: lines {goods} ≠ goods {note.goods_total}"
        gross = sum((row["gross"] for row in note.typed_tax_rows), ZERO)
        assert gross == note.grand_total, f"{name}: tax rows {gross} ≠ {note.grand_total}"
        for row in note.typed_tax_rows:
            assert row["net"] + row["tax"] == row["gross"], f"{name}: VAT row {row}"
        back = note.giftcard_total + note.credit_total + note.paid_total
        assert ZERO <= back <= note.grand_total, f"{name}: gives back {back}"
        if note.invoice.order.payment_status not in ISSUED:
            assert note.paid_total == ZERO, f"{name}: pays out on an unpaid order"
    for invoice in invoices:
        order = invoice.order
        assert credited[invoice.pk] <= invoice.grand_total, f"{invoice.number} over-credited"
        assert credited[invoice.pk] == order.credited_total, f"{invoice.number}: cached total"
        # Fully credited: closed (refunded), or canceled with a credit note (an invoiced order
        # neither paid nor shipped: the clerk's cancellation) — and only then.
        closed = order.status in (Order.Status.CLOSED, Order.Status.CANCELED)
        assert closed == (
            credited[invoice.pk] == invoice.grand_total and bool(order.credit_notes)
        ), f"{invoice.number}: {order.status}, credited {credited[invoice.pk]}"
        if closed:
            # Fully credited: the credit notes' VAT rows add up to the invoice's, per rate.
            rows = defaultdict(lambda: [ZERO, ZERO])
            for row in invoice.typed_tax_rows:
                rows[row["rate"]][0] += row["net"]
                rows[row["rate"]][1] += row["gross"]
            for note in (n for n in notes if n.invoice_id == invoice.pk):
                for row in note.typed_tax_rows:
                    rows[row["rate"]][0] -= row["net"]
                    rows[row["rate"]][1] -= row["gross"]
            assert all(v == [ZERO, ZERO] for v in rows.values()), f"{invoice.number}: VAT {rows}"


def open_amount_is_what_is_still_due():
    """Open amount of each customer = sum of the amounts still due on their open orders."""
    due = defaultdict(lambda: ZERO)
    for order in Order.objects.filter(customer__isnull=False):
        if order.payment_status not in PAID and order.status not in FINAL:
            # A credit note on an order not paid yet cancels what is still due first.
            still_due = order.grand_total - order.giftcard_total - order.credit_total
            for note in order.credit_notes:
                still_due -= note.due_reduction
            # what already arrived of it (part payments: a transfer of too little)
            still_due -= order.received_total
            due[order.customer_id] += max(ZERO, still_due)
    for customer in User.objects.filter(is_staff=False):
        amount = limits.open_amount(customer)
        assert amount == due[customer.pk], (
            f"open amount of {customer.email}: {amount}, still due {due[customer.pk]}"
        )
