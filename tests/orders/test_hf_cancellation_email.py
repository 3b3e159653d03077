"""The customer hears of the cancellation of their order: an e-mail in the order's language
says what happens to the money (back on gift card and account credit, to be paid back
through the payment method, the reservation released, or nothing to pay any more), the
discount code that is free again and the gift cards bought with the order that are no
longer valid. Not when the erasure of their data cancels their pending orders."""

from decimal import Decimal

import pytest

from giftcards import services as giftcard_services
from giftcards.models import GiftCard
from orders import services
from orders.erasure import cancel_unpaid_pending_orders
from orders.models import Order
from shop.mail import written
from shop.models import OutboxEmail
from tests.factories import ProductFactory
from tests.vouchers.factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db
D = Decimal


def plain(text):
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def mail(order):
    email = written(OutboxEmail.objects.get(template="order_canceled", to=[order.email]))
    return email, plain(email.body_text), plain(email.body_html)


def test_an_authorized_card_payment_is_released(make_order):
    order = make_order()
    assert order.payment_status == Order.PaymentStatus.AUTHORIZED
    services.cancel_order(order)
    email, text, html = mail(order)
    assert email.subject == f"Your order {order.number} has been canceled"
    assert f"we have canceled your order {order.number} of" in text
    assert "The amount reserved on your card has been released; nothing has been charged." in text
    assert "reserved on your card has been released" in html
    assert "pay back" not in text and "refund" not in text.lower()
    assert "/order-status/" in text  # the guest's link to the order


def test_a_paid_order_says_what_is_back_and_what_will_be_paid_back(make_order, prepayment):
    card = giftcard_services.issue_cards(D("20.00"), 1)[0]
    order = make_order(payment_method_id=prepayment.pk, giftcard_number=card.number)
    services.mark_paid(order)
    services.cancel_order(order)
    _email, text, html = mail(order)
    assert "Back on your gift card already: €20.00" in text
    assert "We will transfer €4.90 back to the account your payment came from" in text
    assert "We will transfer €4.90 back" in html
    assert "Nothing is to be paid" not in text


def test_an_unpaid_order_is_not_to_be_paid_any_more(make_order, prepayment):
    order = make_order(payment_method_id=prepayment.pk)
    services.cancel_order(order)
    _email, text, _html = mail(order)
    assert "Nothing is to be paid for this order any more." in text
    assert "transfer" not in text and "released" not in text


def test_the_discount_code_is_free_again(make_order):
    CodeFactory(text="AGAIN", campaign=CampaignFactory())
    order = make_order(voucher_code="AGAIN")
    services.cancel_order(order)
    _email, text, _html = mail(order)
    assert "Your discount code AGAIN can be used again while it is valid." in text


def test_a_gift_card_bought_with_the_order_is_no_longer_valid(make_order):
    gift = ProductFactory(name="Gift card 25", price=D("25.00"), tax_rate=D("0"), is_giftcard=True)
    order = make_order({gift.pk: 1})
    services.mark_paid(order)
    card = GiftCard.objects.get(issued_by_order=order)
    services.cancel_order(Order.objects.get(pk=order.pk))
    _email, text, html = mail(order)
    sentence = f"Gift card …{card.number[-4:]} bought with this order is no longer valid."
    assert sentence in text and sentence in html
    assert card.number not in text and card.number not in html  # masked


def test_in_the_orders_language(make_order, prepayment):
    order = make_order(payment_method_id=prepayment.pk)
    Order.objects.filter(pk=order.pk).update(language="de")
    services.cancel_order(Order.objects.get(pk=order.pk))
    email, text, _html = mail(order)
    assert email.subject == f"Ihre Bestellung {order.number} wurde storniert"
    assert "Für diese Bestellung ist nichts mehr zu bezahlen." in text


def test_the_erasure_cancels_pending_orders_without_an_e_mail(make_order, prepayment):
    order = make_order(payment_method_id=prepayment.pk)
    assert cancel_unpaid_pending_orders(Order.objects.filter(pk=order.pk)) == 1
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELED
    assert not OutboxEmail.objects.filter(template="order_canceled").exists()
