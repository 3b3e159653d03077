"""The order history says what paid an order: a gift card or account credit that paid all of
it, not "Payment of €0.00 received (Prepayment)" by a method that collected nothing."""

from decimal import Decimal

import pytest
from django.utils import translation

from giftcards import services
from orders.models import Order

pytestmark = pytest.mark.django_db

D = Decimal


def _payment_comment(order):
    texts = [c.text for c in order.comments.all()]
    return [t for t in texts if "aid" in t or "ayment" in t]


def test_card_paying_the_whole_order_is_named_in_the_history(make_card, make_order):
    card = make_card("100.00")
    order = make_order(giftcard_number=card.number)
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    comments = _payment_comment(order)
    assert comments == ["Paid in full by gift card (€24.90)."]
    assert not any("Payment of" in c.text for c in order.comments.all())
    # Read again in German: the sentence is rendered in the reader's language.
    with translation.override("de"):
        shown = [c.display_text for c in order.comments.all()]
    assert not any("0,00" in s for s in shown)
    assert any("24,90" in s for s in shown)


def test_credit_paying_the_whole_order_is_named_in_the_history(
    make_card, make_order, customer, set_mode
):
    set_mode("customer")
    services.redeem_to_account(make_card("30.00").number, customer)
    order = make_order(customer=customer, use_credit=True)
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert _payment_comment(order) == ["Paid in full from account credit (€24.90)."]


def test_card_and_credit_together_are_both_named(make_card, make_order, customer, set_mode):
    set_mode("customer")
    services.redeem_to_account(make_card("30.00").number, customer)
    card = make_card("10.00")
    set_mode("card")
    order = make_order(customer=customer, use_credit=True, giftcard_number=card.number)
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert order.giftcard_total > 0 and order.credit_total > 0
    assert _payment_comment(order) == [
        f"Paid in full by gift card (€{order.giftcard_total}) and account credit "
        f"(€{order.credit_total})."
    ]


def test_a_part_paid_by_card_keeps_the_method_sentence(make_card, make_order):
    card = make_card("10.00")
    order = make_order(giftcard_number=card.number)
    order.refresh_from_db()
    assert order.amount_due == D("14.90")
    assert not any("Paid in full" in c.text for c in order.comments.all())
