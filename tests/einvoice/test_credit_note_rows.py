"""Credit notes whose figures add up, in every document: each note's VAT rows make exactly its
total, each row's VAT is its rate of its net (within the cent a gross price rounds to), the
notes of an order never credit a row beyond what the invoice charged and together give it
back exactly — and the stored rows, the PDF and its embedded XML (valid EN 16931) say the
same, down to where the money goes.

The audit's cases: a restocking fee that the rest-of-order note gave back at 0.00 in the gift
card's row, because the note had only the gift card left to credit (BR-CO-15); shipping and
an extra credit on an order with a discount code, whose rows came to 36 cents more than the
note; a credit note of a part-paid invoice whose XML said nothing was paid out while its
PDF pays 2.20 back."""

import re
from collections import defaultdict
from decimal import Decimal as D

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from orders import pdf, services
from orders.models import CreditNote
from shop.templatetags.money import credited_money, percent
from tests.einvoice import validate as validator
from tests.factories import ProductFactory, ShippingMethodFactory
from tests.orders.factories import ZURICH
from tests.orders.test_einvoice import NS, PL_VAT_ID, WARSAW, money, pdf_text, value, xml_of
from tests.vouchers.factories import CampaignFactory, CodeFactory
from vouchers.models import Campaign

pytestmark = pytest.mark.django_db

AMOUNTS = ("net", "tax", "gross")
CENT = D("0.01")


def percent_code(value):
    return CodeFactory(
        campaign=CampaignFactory(
            discount_type=Campaign.DiscountType.PERCENT, discount_value=D(value)
        )
    ).text


def line_of(order, product):
    return order.lines.get(product=product).pk


def by_key(rows):
    out = defaultdict(lambda: dict.fromkeys(AMOUNTS, D("0")))
    for row in rows:
        for name in AMOUNTS:
            out[(row["category"], D(str(row["rate"])))][name] += D(str(row[name]))
    return dict(out)


def flat(text):
    return " ".join(text.split())


def xml_rows(tree):
    rows = {}
    for tax in tree.xpath(
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NS
    ):
        basis = D(tax.findtext("ram:BasisAmount", namespaces=NS))
        amount = D(tax.findtext("ram:CalculatedAmount", namespaces=NS))
        if basis or amount:
            key = (
                tax.findtext("ram:CategoryCode", namespaces=NS),
                D(tax.findtext("ram:RateApplicablePercent", namespaces=NS)),
            )
            rows[key] = (basis, amount)
    return rows


def adjustments(tree):
    """The XML's document-level allowances and charges: [(charge?, amount, category, rate)]."""
    return [
        (
            value(ac, "ram:ChargeIndicator/*") == "true",
            D(value(ac, "ram:ActualAmount")),
            value(ac, "ram:CategoryTradeTax/ram:CategoryCode"),
            D(value(ac, "ram:CategoryTradeTax/ram:RateApplicablePercent")),
            value(ac, "ram:Reason"),
        )
        for ac in tree.xpath(
            "//ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge",
            namespaces=NS,
        )
    ]


def check_note(note):
    """The note's stored rows make its total, each with the VAT of its rate; its PDF is a
    valid Factur-X whose XML carries exactly those rows and totals, and whose printed totals
    and VAT breakdown are the XML's. Returns (XML tree, PDF text)."""
    note.refresh_from_db()
    stored = note.typed_tax_rows
    assert sum((row["gross"] for row in stored), D("0")) == note.grand_total, stored
    for row in stored:
        assert row["net"] + row["tax"] == row["gross"], row
        vat = (row["net"] * row["rate"] / 100).quantize(CENT)
        assert abs(row["tax"] - vat) <= CENT, row

    document = pdf.render_credit_note(note)
    ok, problems = validator.validate(document)
    assert ok, problems
    tree, text = xml_of(document), flat(pdf_text(document))
    assert xml_rows(tree) == {
        (row["category"], row["rate"]): (row["net"], row["tax"])
        for row in stored
        if row["net"] or row["tax"]
    }
    basis, tax = money(tree, "TaxBasisTotalAmount"), money(tree, "TaxTotalAmount")
    assert basis + tax == money(tree, "GrandTotalAmount") == note.grand_total

    currency = note.invoice.currency
    with translation.override(note.invoice.order.language):
        printed = [
            f"{_('Total net')} {credited_money(basis, currency)}",
            f"{_('Total VAT')} {credited_money(tax, currency)}",
            f"{_('Credit-note total')} {credited_money(note.grand_total, currency)}",
        ]
        for row in stored:
            category = "" if row["category"] == "S" else f" ({row['category']})"
            amounts = " ".join(credited_money(row[name], currency) for name in AMOUNTS)
            printed.append(f"{percent(row['rate'])}{category} {amounts}")
    for expected in map(flat, printed):
        assert expected in text, (expected, text)
    return tree, text


def check_order(order):
    """Every note within what was left of each invoice row; together exactly the invoice."""
    invoice = order.invoice
    left = by_key(invoice.typed_tax_rows)
    notes = list(CreditNote.objects.filter(invoice=invoice).order_by("sequence"))
    for note in notes:
        for key, amounts in by_key(note.typed_tax_rows).items():
            assert key in left, (note.number, key)
            for name in AMOUNTS:
                assert amounts[name] <= left[key][name], (note.number, key, name)
                left[key][name] -= amounts[name]
    assert all(not any(amounts.values()) for amounts in left.values()), left
    ok, problems = validator.validate(pdf.render_invoice(invoice))
    assert ok, problems
    return notes


# --- a deduction given back in the category it was charged in ----------------------------


@pytest.fixture
def gift_card():
    return ProductFactory(
        name="Gift card 25", price=D("25.00"), tax_rate=D("0.00"), is_giftcard=True, stock=None
    )


def reverse_charge_order(make_order, prepayment):
    pot = ProductFactory(name="Coffee pot", price=D("34.90"), stock=None)
    return pot, dict(billing=dict(WARSAW), vat_id=PL_VAT_ID, payment_method_id=prepayment.pk), "K"


def export_order(make_order, prepayment):
    pot = ProductFactory(name="Coffee pot", price=D("34.90"), stock=None)
    return pot, dict(billing=dict(ZURICH)), "G"


def zero_rated_order(make_order, prepayment):
    solar = ProductFactory(name="Solar module", price=D("25.00"), tax_rate=D("0.00"), stock=None)
    return solar, dict(voucher_code=percent_code("10")), "Z"


@pytest.mark.parametrize("kind", [reverse_charge_order, export_order, zero_rated_order])
def test_the_rest_of_the_order_gives_back_a_restocking_fee_where_it_was_charged(
    make_order, prepayment, gift_card, kind
):
    """All goods returned with a restocking fee, then the full refund: only the gift card
    (exempt, E) is left to credit, and the fee goes back in the goods' category — not as
    0.00 in the card's row while the note's total has it (BR-CO-15)."""
    goods, checkout, category = kind(make_order, prepayment)
    order = make_order({goods.pk: 2, gift_card.pk: 1}, **checkout)
    if order.payment_method.kind == "prepayment":
        services.mark_paid(order)
    services.create_invoice(order)
    returned = services.create_credit_note(
        order,
        {line_of(order, goods): 2},
        adjustment=D("-5.00"),
        adjustment_text="Restocking fee",
    )
    tree, _text = check_note(returned)
    assert (False, D("5.00"), category, D("0.00"), "Restocking fee") in adjustments(tree)

    order.refresh_from_db()
    services.refund_order(order)
    rest = CreditNote.objects.filter(invoice__order=order).exclude(pk=returned.pk).get()
    assert rest.grand_total == D("30.00") and rest.adjustment == D("5.00")
    assert by_key(rest.typed_tax_rows) == {
        ("E", D("0.00")): {"net": D("25.00"), "tax": D("0.00"), "gross": D("25.00")},
        (category, D("0.00")): {"net": D("5.00"), "tax": D("0.00"), "gross": D("5.00")},
    }
    tree, text = check_note(rest)
    assert adjustments(tree) == [(True, D("5.00"), category, D("0.00"), "Adjustment")]
    assert f"Balance of earlier adjustments 0% ({category}) −€5.00" in text
    check_order(order)


# --- shipping and an extra credit on an order with a discount code ------------------------


@pytest.mark.parametrize("code", [None, "10", "33"])
def test_shipping_and_an_extra_credit_with_a_discount_code_add_up(make_order, code):
    """One of three coffees, the shipping and 2.50 goodwill: the 19 % row (filters and
    shipping) has little room left beside the shipping, so most of the goodwill goes to
    7 % — the rows make the note's total and keep each rate's VAT, and the note crediting
    the rest after it too."""
    coffee = ProductFactory(name="Filter coffee", price=D("12.90"), tax_rate=D("7.00"))
    filters = ProductFactory(name="Paper filters", price=D("0.50"), tax_rate=D("19.00"))
    order = make_order(
        {coffee.pk: 3, filters.pk: 1},
        shipping_method_id=ShippingMethodFactory(free_over=None, price=D("4.90")).pk,
        **({"voucher_code": percent_code(code)} if code else {}),
    )
    services.create_invoice(order)
    note = services.create_credit_note(
        order,
        {line_of(order, coffee): 1},
        shipping=D("4.90"),
        adjustment=D("2.50"),
        adjustment_text="Goodwill",
    )
    assert note.grand_total == D("12.90") - note.discount_total + D("4.90") + D("2.50")
    if code == "33":
        assert note.grand_total == D("16.04")
    tree, _text = check_note(note)
    reasons = [reason for *_amounts, reason in adjustments(tree)]
    assert "Goodwill" in reasons and (not code or any("Discount" in r for r in reasons))

    order.refresh_from_db()
    services.refund_order(order)
    for note in check_order(order):
        check_note(note)


def test_goods_credited_after_an_extra_credit_took_their_rate_s_room(make_order):
    """Goodwill alone first (spread over both rates by what is left of them), then the whole
    19 % part: its goods are worth more than the 19 % row has left. What does not fit goes
    to 7 %, so no row is credited beyond the invoice's and the VAT stays 19 % of the net —
    not the VAT left of the row on a larger net (5.11 on 29.79)."""
    kit = ProductFactory(name="Kit", price=D("34.90"), tax_rate=D("19.00"), stock=None)
    coffee = ProductFactory(name="Filter coffee", price=D("12.90"), tax_rate=D("7.00"))
    order = make_order({kit.pk: 1, coffee.pk: 2})
    services.create_invoice(order)
    goodwill = services.create_credit_note(order, adjustment=D("5.00"), adjustment_text="Goodwill")
    assert {key[1] for key in by_key(goodwill.typed_tax_rows)} == {D("19.00"), D("7.00")}
    check_note(goodwill)
    order.refresh_from_db()
    kit_note = services.create_credit_note(order, {line_of(order, kit): 1})
    assert kit_note.grand_total == D("34.90")
    check_note(kit_note)
    order.refresh_from_db()
    services.refund_order(order)
    for note in check_order(order):
        check_note(note)


# --- where the money goes: the XML says what the PDF says --------------------------------


@pytest.fixture
def pot():
    return ProductFactory(name="Coffee pot", price=D("34.90"), stock=None)


@pytest.fixture
def coffee():
    return ProductFactory(name="Filter coffee", price=D("12.90"), tax_rate=D("7.00"))


def payment_terms(tree):
    return value(tree, "//ram:SpecifiedTradePaymentTerms/ram:Description")


def test_a_credit_note_of_a_part_paid_invoice_says_what_is_paid_back(
    make_order, pot, coffee, prepayment
):
    """52.70 by prepayment, 20.00 received, then the pot (34.90) credited: 32.70 comes off
    what is still due and 2.20 of the part payment goes back — the XML says both, in the
    PDF's words, not that nothing is paid out."""
    order = make_order({coffee.pk: 1, pot.pk: 1}, payment_method_id=prepayment.pk)
    assert order.grand_total == D("52.70")
    services.mark_paid(order, amount=D("20.00"))
    invoice = services.create_invoice(order)
    note = services.create_credit_note(order, {line_of(order, pot): 1})
    assert (note.paid_total, note.due_reduction) == (D("2.20"), D("32.70"))
    tree, text = check_note(note)

    payout = (
        "We will transfer €2.20 back to the account your payment came from; "
        "you do not need to do anything."
    )
    reduced = f"The amount still due on invoice {invoice.number} is reduced by €32.70."
    assert payout in text and reduced in text  # the PDF
    assert payment_terms(tree) == f"{payout} {reduced}"
    assert "nothing is paid out" not in payment_terms(tree)
    # the module's rule: only what went back to a gift card or account credit is prepaid
    assert money(tree, "TotalPrepaidAmount") == 0
    assert money(tree, "DuePayableAmount") == note.grand_total

    services.mark_refunded(note)
    tree, text = check_note(note)
    day = date_format(timezone.localtime(note.refunded_at), "DATE_FORMAT")
    paid_back = f"€2.20 transferred back to your bank account on {day}"
    assert paid_back in text
    assert payment_terms(tree) == f"{paid_back} {reduced}"


def test_the_xml_says_it_in_the_order_s_language_as_the_pdf_does(
    make_order, pot, coffee, prepayment
):
    order = make_order({coffee.pk: 1, pot.pk: 1}, payment_method_id=prepayment.pk, language="de")
    services.mark_paid(order, amount=D("20.00"))
    services.create_invoice(order)
    note = services.create_credit_note(order, {line_of(order, pot): 1})
    tree, text = check_note(note)
    terms = payment_terms(tree)
    assert "2,20" in terms and "32,70" in terms
    assert flat(terms) in text  # the payout and the reduction, as the PDF's box says them


def test_a_credit_note_back_to_the_gift_card_does_not_say_the_payment_method(
    make_order, pot, coffee
):
    from giftcards import services as giftcard_services

    card = giftcard_services.issue_cards(D("10.00"), 1)[0]
    order = make_order({pot.pk: 1, coffee.pk: 1}, giftcard_number=card.number)
    services.create_invoice(order)
    services.refund_order(order)
    note = CreditNote.objects.get(invoice__order=order)
    tree, text = check_note(note)
    back = "What you paid with a gift card is back on the card (€10.00)."
    assert back in text
    assert back in payment_terms(tree)
    assert re.search(r"We refund €\d+\.\d\d by the payment method you used", payment_terms(tree))
    assert money(tree, "TotalPrepaidAmount") == D("10.00")


def test_a_credit_note_of_an_unpaid_invoice_pays_nothing_out(
    make_order, pot, coffee, invoice_payment
):
    order = make_order({pot.pk: 1, coffee.pk: 1}, payment_method_id=invoice_payment.pk)
    invoice = services.create_invoice(order)
    note = services.create_credit_note(order, {line_of(order, coffee): 1})
    tree, text = check_note(note)
    assert f"The amount still due on invoice {invoice.number} is reduced by €12.90." in text
    assert payment_terms(tree) == (
        f"Reduces the amount still due on invoice {invoice.number}; nothing is paid out."
    )
    assert money(tree, "DuePayableAmount") == note.grand_total
