"""Partial refunds = partial credit notes (issue 20): lines and quantities, shipping, an
adjustment; the VAT of exactly the credited part; the money back in a defined order (gift
card, account credit, then the payment method); the sum never above the invoice."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation

from customers import loyalty
from customers.models import LoyaltyEntry
from giftcards import services as giftcard_services
from giftcards.models import LedgerEntry
from orders import pdf, services
from orders.models import CreditNote, DownloadLink, Invoice, Order
from orders.services import OrderError
from shop import events
from shop.models import OutboxEmail, Product
from tests.factories import ProductFactory, UserFactory
from tests.race import run_concurrently
from vouchers.errors import VoucherError
from vouchers.models import Redemption

from .factories import downloadable_product, ship_all
from .test_documents import pdf_text

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def goods(db):
    """A: 15.00 at 19 % (stock tracked), B: 10.70 at 7 %."""
    return (
        ProductFactory(name="Lamp", price=D("15.00"), tax_rate=D("19.00"), stock=10),
        ProductFactory(name="Coffee", price=D("10.70"), tax_rate=D("7.00")),
    )


@pytest.fixture
def invoiced(make_order, goods):
    """A card order 2 × A + 1 × B + 4.90 shipping = 45.60, invoiced (paid) and shipped."""

    def make(**kwargs):
        lamp, coffee = goods
        order = make_order({lamp.pk: 2, coffee.pk: 1}, **kwargs)
        services.create_invoice(order)
        services.create_shipment(order, ship_all(order))
        return Order.objects.get(pk=order.pk)

    return make


def line_of(order, product):
    return order.lines.get(product=product)


def rows(note):
    return {row["rate"]: (row["net"], row["tax"], row["gross"]) for row in note.typed_tax_rows}


def test_partial_credit_note_credits_lines_with_the_vat_of_exactly_that_part(invoiced, goods):
    order = invoiced()
    lamp, _coffee = goods
    assert order.grand_total == D("45.60")
    note = services.create_credit_note(order, {line_of(order, lamp).pk: 1}, reason="One broke")
    assert note.number.startswith("CN-") and note.invoice == Invoice.objects.get(order=order)
    assert note.goods_total == D("15.00") and note.grand_total == D("15.00")
    assert rows(note) == {D("19.00"): (D("12.61"), D("2.39"), D("15.00"))}
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETE
    assert order.credited_total == D("15.00")
    # Paid by card: the whole amount is to be refunded via the payment method — pending
    # until the operator records the payout, then the order is partly refunded.
    assert note.paid_total == D("15.00") and note.payout_pending
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
    services.mark_refunded(note)
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PARTLY_REFUNDED


def test_several_partial_credit_notes_add_up_to_the_invoice_per_vat_rate(invoiced, goods):
    order = invoiced()
    lamp, coffee = goods
    first = services.create_credit_note(order, {line_of(order, lamp).pk: 1})
    second = services.create_credit_note(order, {line_of(order, coffee).pk: 1}, shipping="4.90")
    assert second.grand_total == D("15.60")
    assert rows(second) == {
        D("7.00"): (D("10.00"), D("0.70"), D("10.70")),
        # the invoice's rule: the shipping charge's net (4.90 / 1.19), VAT the rest
        D("19.00"): (D("4.12"), D("0.78"), D("4.90")),
    }
    last = services.create_credit_note(order, {line_of(order, lamp).pk: 1})
    assert last.is_final
    order.refresh_from_db()
    assert order.status == Order.Status.CLOSED
    # Refunded once the last of the three card refunds is paid out, not before
    for note in (first, second, last):
        assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
        services.mark_refunded(note)
        order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.REFUNDED
    invoice = Invoice.objects.get(order=order)
    total = {}
    for note in (first, second, last):
        for rate, (net, tax, gross) in rows(note).items():
            n, t, g = total.get(rate, (D(0), D(0), D(0)))
            total[rate] = (n + net, t + tax, g + gross)
    assert total == {r["rate"]: (r["net"], r["tax"], r["gross"]) for r in invoice.typed_tax_rows}
    assert [n.sequence for n in (first, second, last)] == [1, 2, 3]  # one gapless series


def test_the_sum_never_exceeds_the_invoice_and_a_refused_note_changes_nothing(invoiced, goods):
    order = invoiced()
    lamp, _coffee = goods
    services.create_credit_note(order, {line_of(order, lamp).pk: 2})
    stock = Product.objects.get(pk=lamp.pk).stock
    with pytest.raises(OrderError, match="left to credit"):
        services.create_credit_note(order, {line_of(order, lamp).pk: 1})
    with pytest.raises(OrderError, match="shipping left"):
        services.create_credit_note(order, {}, shipping="5.00")
    with pytest.raises(OrderError, match="left to credit"):
        services.create_credit_note(order, {}, adjustment="31.00", adjustment_text="Goodwill")
    with pytest.raises(OrderError, match="positive"):
        services.create_credit_note(order, {})
    assert CreditNote.objects.count() == 1
    assert Order.objects.get(pk=order.pk).credited_total == D("30.00")
    assert Product.objects.get(pk=lamp.pk).stock == stock
    assert OutboxEmail.objects.filter(template="order_credit_note").count() == 1


def test_the_database_refuses_a_credited_total_above_the_invoice(invoiced):
    order = invoiced()
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(credited_total=F("grand_total") + D("0.01"))


@pytest.mark.django_db(transaction=True)
def test_two_partial_refunds_at_once_never_exceed_the_invoiced_amount(invoiced, goods):
    order = invoiced()
    lamp, _coffee = goods
    line = line_of(order, lamp).pk

    def refund(i):
        # Each fits alone (35.00 of 45.60); both together would credit 70.00.
        return services.create_credit_note(
            Order.objects.get(pk=order.pk), {line: 1}, adjustment="20.00", adjustment_text="Sorry"
        )

    outcomes = run_concurrently(refund, 2)
    notes = [o for o in outcomes if isinstance(o, CreditNote)]
    errors = [o for o in outcomes if isinstance(o, OrderError)]
    assert len(notes) == 1 and len(errors) == 1, outcomes
    order.refresh_from_db()
    assert order.credited_total == D("35.00") == notes[0].grand_total
    assert CreditNote.objects.count() == 1


def test_adjustments_deduct_or_add_with_a_text(invoiced, goods):
    order = invoiced()
    lamp, _coffee = goods
    with pytest.raises(OrderError, match="what the adjustment is for"):
        services.create_credit_note(order, {line_of(order, lamp).pk: 1}, adjustment="-2.00")
    note = services.create_credit_note(
        order,
        {line_of(order, lamp).pk: 1},
        adjustment="-2.00",
        adjustment_text="Restocking fee",
    )
    assert note.grand_total == D("13.00")
    assert sum(r["gross"] for r in note.typed_tax_rows) == D("13.00")
    text = pdf_text(pdf.render_credit_note(note))
    assert "Restocking fee" in text and "€2.00" in text and "−€13.00" in text


def test_full_refund_after_partial_ones_credits_the_rest_and_gives_back_deductions(invoiced, goods):
    order = invoiced()
    lamp, _coffee = goods
    services.create_credit_note(
        order, {line_of(order, lamp).pk: 2}, adjustment="-3.00", adjustment_text="Restocking"
    )
    services.refund_order(order, reason="Everything back")
    order.refresh_from_db()
    last = order.credit_notes[-1]
    assert last.is_final and last.adjustment == D("3.00")
    assert last.grand_total == D("45.60") - D("27.00")
    assert order.credited_total == order.grand_total
    assert order.status == Order.Status.CLOSED
    assert "Balance of earlier adjustments" in pdf_text(pdf.render_credit_note(last))


def test_discount_falls_on_the_credited_goods_as_on_the_invoice(make_order, goods):
    from tests.vouchers.factories import CampaignFactory, CodeFactory

    lamp, coffee = goods
    code = CodeFactory(text="TEN", campaign=CampaignFactory(discount_value=10))
    order = make_order({lamp.pk: 2, coffee.pk: 1}, voucher_code=code.text)
    assert order.discount_total == D("4.07")
    services.create_invoice(order)
    note = services.create_credit_note(order, {line_of(order, lamp).pk: 1})
    assert note.discount_total == D("1.50") and note.grand_total == D("13.50")
    services.refund_order(order)
    order.refresh_from_db()
    assert sum(n.discount_total for n in order.credit_notes) == D("4.07")
    # A single-use code stays used after the partial refund and is freed by the full one.
    assert not Redemption.objects.filter(order=order).exists()


def test_a_code_limited_to_some_products_discounts_only_their_vat_and_credit_notes(
    make_order, goods
):
    """A 50 % code for the 19 % lamp: the invoice's discount falls on the lamp's rate alone
    (not spread over the 7 % coffee), and crediting the lamp gives back what was paid for it —
    not its full price, which lost the shop the coffee's share of the discount."""
    from tests.vouchers.factories import CampaignFactory, CodeFactory

    lamp, coffee = goods
    campaign = CampaignFactory(discount_value=50)
    campaign.products.set([lamp])
    CodeFactory(text="LAMPHALF", campaign=campaign)
    order = make_order({lamp.pk: 2, coffee.pk: 1}, voucher_code="LAMPHALF")
    assert order.discount_total == D("15.00")  # half of the lamps' 30.00
    assert {line.product_id: line.discounted for line in order.lines.all()} == {
        lamp.pk: True,
        coffee.pk: False,
    }
    invoice = services.create_invoice(order)
    invoice_rows = {r["rate"]: r["gross"] for r in invoice.typed_tax_rows}
    assert invoice_rows == {D("7.00"): D("10.70"), D("19.00"): D("15.00") + D("4.90")}

    lamps = services.create_credit_note(order, {line_of(order, lamp).pk: 2})
    assert lamps.discount_total == D("15.00") and lamps.grand_total == D("15.00")
    # as the invoice computes it: line nets 25.21 less the discount's 12.61
    assert rows(lamps) == {D("19.00"): (D("12.61"), D("2.39"), D("15.00"))}  # 15.00 / 1.19
    rest = services.refund_order(order) or order.credit_notes[-1]
    order.refresh_from_db()
    assert order.credited_total == order.grand_total
    credited = {}
    for note in order.credit_notes:
        for rate, (_net, _tax, gross) in rows(note).items():
            credited[rate] = credited.get(rate, D(0)) + gross
    assert credited == invoice_rows
    assert rest is not None


def test_shipping_is_credited_at_the_rate_it_was_invoiced_at(invoiced, goods):
    """The shipping method's rate changed after the invoice: a credit note of the shipping
    takes the order's rate (on the invoice), not today's rate of the method."""
    order = invoiced()
    assert order.shipping_tax_rate == D("19.00")
    method = order.shipping_method
    method.tax_rate = D("7.00")
    method.save()
    note = services.create_credit_note(order, {}, shipping="4.90")
    assert rows(note) == {D("19.00"): (D("4.12"), D("0.78"), D("4.90"))}


def test_single_use_code_stays_used_on_a_partial_refund(make_order, goods):
    from tests.vouchers.factories import CampaignFactory, CodeFactory

    lamp, coffee = goods
    code = CodeFactory(text="ONCE", campaign=CampaignFactory(discount_value=10))
    order = make_order({lamp.pk: 2, coffee.pk: 1}, voucher_code=code.text)
    services.create_invoice(order)
    services.create_credit_note(order, {line_of(order, lamp).pk: 2})
    assert Redemption.objects.filter(order=order, code=code).count() == 1
    with pytest.raises(VoucherError):  # the code is still used: no other order redeems it
        make_order({lamp.pk: 1}, voucher_code=code.text, email="other@example.com")
    services.refund_order(order)
    assert not Redemption.objects.filter(code=code).exists()


def test_money_goes_back_to_the_gift_card_first_then_via_the_payment_method(
    make_order, goods, customer
):
    lamp, coffee = goods
    card = giftcard_services.issue_cards(D("20.00"))[0]
    order = make_order({lamp.pk: 2, coffee.pk: 1}, giftcard_number=card.number)
    assert order.giftcard_total == D("20.00")
    services.create_invoice(order)  # the card payment captures the rest, 25.60
    first_plan = services.preview_credit_note(order, {line_of(order, lamp).pk: 1})
    assert (first_plan.giftcard_total, first_plan.paid_total) == (D("15.00"), D("0.00"))
    first = services.create_credit_note(order, {line_of(order, lamp).pk: 1})
    assert (first.giftcard_total, first.paid_total) == (D("15.00"), D("0.00"))
    second = services.create_credit_note(order, {line_of(order, coffee).pk: 1}, shipping="4.90")
    assert (second.giftcard_total, second.paid_total) == (D("5.00"), D("10.60"))
    card.refresh_from_db()
    assert card.balance == D("20.00")
    refunds = LedgerEntry.objects.filter(card=card, kind="refund").order_by("id")
    assert [e.amount for e in refunds] == [D("15.00"), D("5.00")]
    assert first.number in refunds[0].reason


def test_account_credit_is_given_back_after_the_gift_card(make_order, goods, customer):
    lamp, _coffee = goods
    staff = UserFactory(is_staff=True, is_superuser=True)
    giftcard_services.adjust_account(
        giftcard_services.account_for(customer), D("10.00"), "goodwill", staff
    )
    card = giftcard_services.issue_cards(D("5.00"))[0]
    order = make_order(
        {lamp.pk: 2}, customer=customer, giftcard_number=card.number, use_credit=True
    )
    assert (order.giftcard_total, order.credit_total) == (D("5.00"), D("10.00"))
    services.create_invoice(order)
    note = services.create_credit_note(order, {line_of(order, lamp).pk: 1})
    assert (note.giftcard_total, note.credit_total, note.paid_total) == (
        D("5.00"),
        D("10.00"),
        D("0.00"),
    )
    assert giftcard_services.credit_balance(customer) == D("10.00")


def test_open_amount_of_a_pay_on_invoice_order_drops_by_the_credited_amount(
    invoiced, goods, customer, invoice_payment
):
    from orders import limits

    order = invoiced(customer=customer, payment_method_id=invoice_payment.pk)
    lamp, _coffee = goods
    assert order.payment_status == Order.PaymentStatus.UNPAID
    assert limits.open_amount(customer) == D("45.60")
    note = services.create_credit_note(order, {line_of(order, lamp).pk: 1})
    assert note.due_reduction == D("15.00") and note.paid_total == D("0.00")
    assert limits.open_amount(customer) == D("30.60")
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.UNPAID
    assert "reduced by €15.00" in pdf_text(pdf.render_credit_note(note))
    services.mark_paid(order)
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PARTLY_REFUNDED
    assert limits.open_amount(customer) == D("0.00")
    assert "Payment of €30.60 received" in order.comments.first().text


def test_loyalty_points_of_the_credited_part_are_reversed_pro_rata(invoiced, goods, customer):
    order = invoiced(customer=customer)
    lamp, _coffee = goods
    assert loyalty.points_balance(customer) == 40  # 40.70 of goods, 1 point per euro
    services.create_credit_note(order, {line_of(order, lamp).pk: 1})
    assert loyalty.points_balance(customer) == 40 - 14  # floor(40 × 15.00 / 40.70)
    services.refund_order(order)
    assert loyalty.points_balance(customer) == 0
    reversed_ = LoyaltyEntry.objects.filter(order=order, reason=LoyaltyEntry.Reason.REFUND)
    assert sorted(e.points for e in reversed_) == [-26, -14]


def test_points_reversal_takes_back_everything_even_if_spent(invoiced, goods, customer):
    """Points spent before the refund are owed (the balance goes below zero; later earnings
    repay it): they never leak (tests/customers/test_hf_points_reversal.py)."""
    order = invoiced(customer=customer)
    lamp, _coffee = goods
    loyalty.spend_points(customer, 35, [events.part("a code")])
    services.create_credit_note(order, {line_of(order, lamp).pk: 2})
    assert loyalty.points_balance(customer) == -24
    entry = LoyaltyEntry.objects.get(order=order, reason=LoyaltyEntry.Reason.REFUND)
    assert entry.points == -29 and "already spent" not in entry.note


def test_unshipped_units_credited_are_cancelled_back_into_stock(make_order, goods):
    lamp, coffee = goods
    order = make_order({lamp.pk: 2, coffee.pk: 1})
    services.create_invoice(order)
    assert Product.objects.get(pk=lamp.pk).stock == 8
    note = services.create_credit_note(order, {line_of(order, lamp).pk: 1})
    assert note.lines[0]["unshipped"] == 1
    assert Product.objects.get(pk=lamp.pk).stock == 9
    state = services.order_state(Order.objects.get(pk=order.pk))
    assert {p.line.product_id: p.remaining for p in state.progress}[lamp.pk] == 1
    with pytest.raises(OrderError, match="left to ship"):
        services.create_shipment(order, {line_of(order, lamp).pk: 2})
    services.create_shipment(order, ship_all(order) | {line_of(order, lamp).pk: 1})
    assert Order.objects.get(pk=order.pk).status == Order.Status.COMPLETE


def test_a_gift_card_bought_is_credited_as_its_line_and_taken_back(make_order):
    """Changed with issue HC (gift-card line refunds): a partial note may credit an unspent
    card's line; the card is blocked and voided (tests/giftcards/test_hc_giftcard_line_refund.py)."""
    from giftcards.models import GiftCard

    gift = ProductFactory(price=D("25.00"), tax_rate=D("0"), is_giftcard=True)
    order = make_order({gift.pk: 1})
    services.create_invoice(order)
    note = services.create_credit_note(order, {line_of(order, gift).pk: 1})
    assert note.grand_total == D("25.00")
    card = GiftCard.objects.get(issued_by_order=order)
    assert card.is_blocked and card.balance == 0


def test_a_fully_credited_download_is_closed(make_order, goods):
    lamp, _coffee = goods
    ebook = downloadable_product()
    order = make_order({lamp.pk: 1, ebook.pk: 1})
    services.create_invoice(order)
    link = DownloadLink.objects.get(order=order)
    assert not link.is_expired()
    services.create_credit_note(order, {line_of(order, ebook).pk: 1})
    link.refresh_from_db()
    assert link.is_expired()


def test_mark_refunded_records_the_payout_once(invoiced, goods, staff):
    order = invoiced()
    lamp, _coffee = goods
    note = services.create_credit_note(order, {line_of(order, lamp).pk: 1})
    services.mark_refunded(note, user=staff)
    note.refresh_from_db()
    assert note.refunded_at and note.refunded_by == staff and not note.payout_pending
    with pytest.raises(OrderError, match="already"):
        services.mark_refunded(note)
    assert "refunded via Credit card" in order.comments.first().text


def test_partial_credit_note_is_emailed_printable_and_in_the_account(
    client, invoiced, goods, customer, mailoutbox, django_capture_on_commit_callbacks
):
    order = invoiced(customer=customer)
    lamp, _coffee = goods
    with django_capture_on_commit_callbacks(execute=True):
        note = services.create_credit_note(order, {line_of(order, lamp).pk: 1}, reason="Broken")
    mail = mailoutbox[-1]
    assert note.number in mail.subject and order.number in mail.subject
    filename, content, _mimetype = mail.attachments[0]
    assert filename == f"credit-note-{note.number}.pdf"
    text = pdf_text(content)
    assert "Lamp" in text and "−€15.00" in text and "Broken" in text
    assert Invoice.objects.get(order=order).number in text  # the invoice it corrects
    assert "VAT 19%" in text and "−€2.39" in text
    client.force_login(customer)
    page = client.get(reverse("orders:account_order", args=[order.number])).content.decode()
    url = reverse("orders:account_credit_note_pdf", args=[order.number, note.number])
    assert note.number in page and url in page
    assert client.get(url)["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    "language, words",
    [("de", "korrigieren hiermit die Rechnung"), ("pl", "korygująca"), ("da", "Kreditnota")],
)
def test_partial_credit_note_pdf_in_the_orders_language(invoiced, goods, language, words):
    order = invoiced(language=language)
    lamp, _coffee = goods
    note = services.create_credit_note(order, {line_of(order, lamp).pk: 1})
    text = pdf_text(pdf.render_credit_note(note))
    assert note.number in text and words in text and "corrects invoice" not in text


def test_a_partly_refunded_order_still_proves_the_purchase_and_its_invoice_is_paid(
    make_order, goods, customer
):
    from orders import limits
    from reviews.services import has_bought

    lamp, coffee = goods
    order = make_order({lamp.pk: 2, coffee.pk: 1}, customer=customer)
    services.create_invoice(order)  # card: paid, nothing shipped yet
    note = services.create_credit_note(order, {line_of(order, coffee).pk: 1})
    order.refresh_from_db()
    # its card refund not paid out yet, then paid out: paid all the same
    for status in (Order.PaymentStatus.REFUND_PENDING, Order.PaymentStatus.PARTLY_REFUNDED):
        order.refresh_from_db()
        assert order.payment_status == status
        assert has_bought(lamp, customer=customer)
        assert limits.open_amount(customer) == 0
        text = pdf_text(pdf.render_invoice(Invoice.objects.get(order=order)))
        assert "Paid on" in text and "Please transfer" not in text
        if note.payout_pending:
            services.mark_refunded(note)


def test_the_refund_entries_note_is_in_the_customers_language(invoiced, goods, customer):
    customer.language = "de"
    customer.save(update_fields=["language"])
    order = invoiced(customer=customer)
    lamp, _coffee = goods
    loyalty.spend_points(customer, 35, [events.part("a code")])
    with translation.override("pl"):  # the operator's backoffice language
        note = services.create_credit_note(order, {line_of(order, lamp).pk: 2})
    entry = LoyaltyEntry.objects.get(order=order, reason=LoyaltyEntry.Reason.REFUND)
    assert entry.note == f"Rechnungskorrektur {note.number}"


def test_the_preview_says_not_shipped_only_for_goods_that_ship(admin_client, make_order, goods):
    """A download is never shipped: its preview line has no "not shipped: back to stock"."""
    from django.urls import reverse

    lamp, _coffee = goods
    ebook = downloadable_product()
    order = make_order({lamp.pk: 1, ebook.pk: 1})
    services.create_invoice(order)
    url = reverse("admin:orders_creditnote_new", args=[order.pk])
    data = {f"qty_{line_of(order, ebook).pk}": "1", "preview": ""}
    assert "not shipped" not in admin_client.post(url, data).content.decode()
    data = {f"qty_{line_of(order, lamp).pk}": "1", "preview": ""}
    assert "1 not shipped: back to stock" in admin_client.post(url, data).content.decode()


def test_an_adjustment_cannot_pay_out_the_gift_cards_bought_with_the_order(make_order, goods):
    """The customer keeps the card (and may have spent it): a partial note's extra credit may
    reach what the goods and shipping are worth, not the cards' value on top."""
    lamp, _coffee = goods
    card = ProductFactory(name="Gift card", price=D("25.00"), is_giftcard=True, tax_rate=0)
    order = make_order({lamp.pk: 1, card.pk: 1})  # 15.00 + 4.90 shipping + 25.00 card
    services.create_invoice(order)
    with pytest.raises(OrderError, match="gift cards bought with the order"):
        services.create_credit_note(order, adjustment="20.00", adjustment_text="Goodwill")
    assert not CreditNote.objects.exists()
    note = services.create_credit_note(order, adjustment="19.00", adjustment_text="Goodwill")
    assert note.grand_total == D("19.00")
