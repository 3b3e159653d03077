"""Redemption at checkout: validation messages, discounts, locking, cancellation (S7)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders import signals
from orders.models import Order
from orders.services import place_order
from tests.factories import UserFactory
from tests.race import run_concurrently
from vouchers.errors import VoucherError
from vouchers.models import Campaign, Redemption

from .factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


def today():
    """The shop's date when the test runs (a run may cross midnight in Europe/Berlin)."""
    return timezone.localdate()


def code(text="SAVE10", **campaign_fields):
    return CodeFactory(text=text, campaign=CampaignFactory(**campaign_fields))


def test_percent_discount_and_case_insensitive_match(make_order, product):
    code("SAVE10")
    order = make_order({product.pk: 2}, voucher_code="  save10 ")  # 40.00 goods
    assert order.voucher_code == "SAVE10"
    assert order.discount_total == Decimal("4.00")
    assert order.grand_total == Decimal("40.90")  # 40 + 4.90 shipping - 4
    redemption = Redemption.objects.get(order=order)
    assert redemption.discount == Decimal("4.00") and redemption.code.text == "SAVE10"


def test_fixed_amount_never_exceeds_the_goods(make_order, product):
    code("BIG", discount_type="amount", discount_value=Decimal("50.00"))
    order = make_order({product.pk: 1}, voucher_code="big")  # 20.00 goods
    assert order.discount_total == Decimal("20.00")
    assert order.grand_total == Decimal("4.90")


def test_free_shipping(make_order, product):
    code("SHIPFREE", discount_type="free_shipping", discount_value=0)
    order = make_order({product.pk: 1}, voucher_code="shipfree")
    assert order.shipping_total == Decimal("4.90")
    assert order.shipping_discount == order.discount_total == Decimal("4.90")
    assert order.grand_total == Decimal("20.00")


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda: None, "does not exist"),
        (lambda: CodeFactory(text="X", is_active=False), "is not active"),
        (
            lambda: code("X", valid_from=today() + timedelta(days=1)),
            "is valid from",
        ),
        (lambda: code("X", valid_to=today() - timedelta(days=1)), "expired on"),
        (lambda: code("X", min_order_value=Decimal("100.00")), "goods value of €100.00"),
        (lambda: code("X", kind=Campaign.Kind.ASSIGNED), "has not been issued"),
        (lambda: CodeFactory(text="X", assigned_to=UserFactory()), "Please log in"),
    ],
)
def test_each_failure_has_its_own_message(make_order, setup, message):
    setup()
    with pytest.raises(VoucherError, match=message):
        make_order(voucher_code="x")
    assert Order.objects.count() == 0


def test_assigned_code_belongs_to_its_customer(make_order):
    owner, other = UserFactory(), UserFactory()
    CodeFactory(text="MINE", assigned_to=owner, campaign=CampaignFactory(kind="assigned"))
    with pytest.raises(VoucherError, match="belongs to another customer"):
        make_order(customer=other, voucher_code="MINE")
    order = make_order(customer=owner, voucher_code="MINE")
    assert order.discount_total > 0


def test_single_use_code_cannot_be_used_twice(make_order):
    code("ONCE")
    make_order(voucher_code="ONCE")
    with pytest.raises(VoucherError, match="already been used"):
        make_order(voucher_code="ONCE")
    assert Order.objects.count() == 1


def test_multi_use_code_is_unlimited_but_respects_per_customer_limit(make_order):
    code("MANY", kind="multi")
    for _ in range(3):
        make_order(voucher_code="MANY")
    code("TWICE", kind="multi", per_customer_limit=2)
    make_order(voucher_code="TWICE", email="a@example.com")
    make_order(voucher_code="TWICE", email="a@example.com")
    with pytest.raises(VoucherError, match="as often as allowed"):
        make_order(voucher_code="TWICE", email="a@example.com")
    make_order(voucher_code="TWICE", email="b@example.com")


def test_per_customer_limit_counts_guest_orders_under_the_customers_address(make_order):
    """A guest order first, then the same person logged in: one use, not two (the other way
    round was refused already)."""
    code("ONCEEACH", kind="multi", per_customer_limit=1)
    erika = UserFactory(email="erika@example.com")
    make_order(voucher_code="ONCEEACH", email="Erika@Example.com")  # as a guest
    with pytest.raises(VoucherError, match="as often as allowed"):
        make_order(voucher_code="ONCEEACH", email=erika.email, customer=erika)
    assert Redemption.objects.count() == 1


def test_cancellation_frees_a_single_use_code(make_order):
    code("AGAIN")
    first = make_order(voucher_code="AGAIN")
    signals.order_canceled.send(sender=Order, order=first)
    assert not Redemption.objects.filter(order=first).exists()
    second = make_order(voucher_code="AGAIN")
    assert second.voucher_code == "AGAIN"


def test_cancel_order_service_frees_the_code(make_order):
    from orders import services as order_services

    code("AGAIN")
    first = make_order(voucher_code="AGAIN")
    order_services.cancel_order(first)
    assert make_order(voucher_code="AGAIN").voucher_code == "AGAIN"


@pytest.mark.django_db(transaction=True)
def test_single_use_code_cannot_be_redeemed_twice_concurrently(checkout_data, product):
    code("RACE")
    product.stock = None
    product.save()
    data = checkout_data(voucher_code="RACE")

    def attempt(_):
        try:
            place_order({product.pk: 1}, data)
            return "ok"
        except VoucherError:
            return "refused"

    results = run_concurrently(attempt, 20)
    assert results.count("ok") == 1
    assert results.count("refused") == 19
    assert Order.objects.filter(voucher_code="RACE").count() == 1
    assert Redemption.objects.filter(code__text="RACE").count() == 1
