"""An order a discount makes free is paid at once, as one gift card or account credit pay in
full: nothing is due, so its downloads go out and its goods may ship. An order a 100 % code
made free stayed "Unpaid" — the download link, sent "as soon as the order is paid", never
went out, and the order sat among the unpaid ones for an operator to mark."""

from decimal import Decimal

import pytest

from orders.models import Order
from shop.mail import written
from shop.models import OutboxEmail
from tests.factories import ProductFactory
from tests.vouchers.factories import CampaignFactory, CodeFactory
from vouchers.models import Campaign

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def all_free(db):
    campaign = CampaignFactory(kind=Campaign.Kind.MULTI, discount_value=D("100"))
    return CodeFactory(campaign=campaign, text="ALLFREE").text


def events(order):
    return [c.text for c in order.comments.filter(is_event=True)]


def test_a_download_a_code_makes_free_is_paid_and_sent(make_order, all_free):
    ebook = ProductFactory(name="E-book", price=D("10.00"), is_downloadable=True, stock=None)
    order = make_order(items={ebook.pk: 1}, voucher_code=all_free)
    order = Order.objects.get(pk=order.pk)
    assert order.grand_total == 0 and order.amount_due == 0
    assert order.payment_status == Order.PaymentStatus.PAID and order.paid_at is not None
    assert "Nothing to pay: the order total is €0.00." in events(order)
    assert OutboxEmail.objects.filter(template="order_downloads", to=[order.email]).exists()
    # no "payment received" e-mail for money that never came
    assert not OutboxEmail.objects.filter(template="order_payment_received").exists()
    # the confirmation says why nothing is due (it said gift card and credit covered it)
    confirmation = written(OutboxEmail.objects.get(template="order_confirmation"))
    assert "Nothing to pay: the order total is €0.00." in confirmation.body_text
    assert "gift card and account credit" not in confirmation.body_text


def test_goods_a_code_and_free_shipping_make_free_may_ship(make_order, product, all_free):
    order = make_order(items={product.pk: 3}, voucher_code=all_free)  # 60.00: ships free
    order = Order.objects.get(pk=order.pk)
    assert order.grand_total == 0
    assert order.payment_status == Order.PaymentStatus.PAID
    assert order.payment_allows_shipping


def test_an_order_with_something_left_to_pay_stays_unpaid(make_order, product):
    campaign = CampaignFactory(kind=Campaign.Kind.MULTI, discount_value=D("50"))
    code = CodeFactory(campaign=campaign, text="HALF").text
    order = make_order(items={product.pk: 1}, voucher_code=code)
    assert order.amount_due > 0
    assert Order.objects.get(pk=order.pk).payment_status != Order.PaymentStatus.PAID
