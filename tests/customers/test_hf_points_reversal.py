"""Points earned by an order are taken back in full when it is canceled or refunded, even
when they were spent on a discount code meanwhile (audit: earn on payment, buy a code, cancel
— the points stayed spent and the code usable). The customer's unused codes bought with
points are voided first, newest first, and their points given back; what is still missing
is owed (a negative balance) and repaid by later earnings."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from customers import loyalty
from customers.models import LoyaltyEntry
from customers.services import CustomerError
from orders import services as order_services
from shop import events
from shop.models import ShopSettings
from tests.factories import ProductFactory, UserFactory
from tests.vouchers.factories import CampaignFactory, CodeFactory
from vouchers import services as voucher_services
from vouchers.errors import VoucherError
from vouchers.models import Code, PointsPurchase

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rate():
    """25 points per euro: an order of 20.00 goods earns 500 points."""
    shop = ShopSettings.load()
    shop.loyalty_points_per_euro = Decimal("25.00")
    shop.save()
    return shop


def campaign(points, name):
    reward = CampaignFactory(
        name=name, kind="single", discount_type="amount", discount_value=10, points_price=points
    )
    for n in range(3):
        CodeFactory(campaign=reward, text=f"{name.upper()}{n}")
    return reward


def ledger(customer):
    return list(
        LoyaltyEntry.objects.filter(customer=customer)
        .order_by("pk")
        .values_list("reason", "points")
    )


def ledger_sum(customer):
    return sum(points for _reason, points in ledger(customer))


def usable(code, customer):
    quote = SimpleNamespace(goods_total=Decimal("40"), shipping_total=Decimal("4.90"), email="")
    try:
        voucher_services.quote_for_checkout(code.text, customer=customer, order=quote)
    except VoucherError:
        return False
    return True


def test_a_canceled_order_takes_its_points_back_from_the_code_they_bought(
    make_order, customer, pay, cancel
):
    """The audit's case: paid → 500 points → a 10 € code → order canceled."""
    order = pay(make_order(customer=customer))
    assert loyalty.points_balance(customer) == 500
    code = voucher_services.buy_code_with_points(customer, campaign(500, "Reward"))
    assert loyalty.points_balance(customer) == 0
    cancel(order)
    code.refresh_from_db()
    assert not code.is_active and code.assigned_to == customer
    assert not usable(code, customer)
    assert loyalty.points_balance(customer) == 0 == ledger_sum(customer)
    assert ledger(customer) == [("earn", 500), ("spend", -500), ("reverse", -500), ("unspend", 500)]
    purchase = PointsPurchase.objects.get(code=code)
    assert purchase.voided_at is not None and purchase.void_entry.points == 500
    assert code.text in purchase.void_entry.note and "voided" in purchase.void_entry.note


def test_the_newest_codes_are_voided_first_and_only_as_many_as_needed(
    make_order, customer, pay, cancel
):
    loyalty.adjust_points(customer, 300, "bonus")
    order = pay(make_order(customer=customer))  # 800
    reward = campaign(300, "Small")
    older = voucher_services.buy_code_with_points(customer, reward)
    newer = voucher_services.buy_code_with_points(customer, reward)
    assert loyalty.points_balance(customer) == 200
    cancel(order)  # 200 - 500 = -300: the newer code covers it
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.is_active and usable(older, customer)
    assert not newer.is_active
    assert loyalty.points_balance(customer) == 0 == ledger_sum(customer)


def test_a_voided_code_may_give_back_more_than_was_missing(make_order, customer, pay, cancel):
    loyalty.adjust_points(customer, 400, "bonus")
    order = pay(make_order(customer=customer))  # 900
    code = voucher_services.buy_code_with_points(customer, campaign(800, "Big"))
    cancel(order)  # 100 - 500 = -400, the code gives back 800
    code.refresh_from_db()
    assert not code.is_active
    assert loyalty.points_balance(customer) == 400 == ledger_sum(customer)


def test_a_used_code_stays_used_and_the_points_are_owed_until_earned_again(
    make_order, customer, pay, cancel, product
):
    first = pay(make_order(customer=customer))
    code = voucher_services.buy_code_with_points(customer, campaign(500, "Used"))
    make_order(customer=customer, voucher_code=code.text)  # placed, not paid: earns nothing
    cancel(first)
    code.refresh_from_db()
    assert code.is_active  # used on an order: nothing to void
    assert loyalty.points_balance(customer) == -500 == ledger_sum(customer)
    reverse_entry = LoyaltyEntry.objects.get(order=first, reason="reverse")
    assert reverse_entry.points == -500 and "already spent" not in reverse_entry.note
    # Owing points: nothing can be spent, an operator cannot take more …
    with pytest.raises(CustomerError, match="0 available, 500 needed"):
        voucher_services.buy_code_with_points(customer, campaign(500, "More"))
    with pytest.raises(CustomerError):
        loyalty.adjust_points(customer, -1, "correction")
    # … but can give, and the next paid orders repay the debt.
    loyalty.adjust_points(customer, 100, "goodwill")
    pay(make_order({ProductFactory(price=Decimal("40.00")).pk: 1}, customer=customer))
    assert loyalty.points_balance(customer) == -500 + 100 + 1000 == ledger_sum(customer)


def test_other_customers_codes_are_kept(make_order, customer, pay, cancel):
    other = UserFactory()
    loyalty.adjust_points(other, 500, "bonus")
    others_code = voucher_services.buy_code_with_points(other, campaign(500, "Other"))
    order = pay(make_order(customer=customer))
    cancel(order)
    others_code.refresh_from_db()
    assert others_code.is_active and loyalty.points_balance(other) == 0
    assert loyalty.points_balance(customer) == 0


def test_a_full_refund_of_an_invoiced_order_voids_the_code_too(make_order, customer):
    order = make_order(customer=customer)
    order_services.create_invoice(order)  # the card payment is captured: paid
    assert loyalty.points_balance(customer) == 500
    code = voucher_services.buy_code_with_points(customer, campaign(500, "Refund"))
    order_services.refund_order(order)
    code.refresh_from_db()
    assert not code.is_active
    assert loyalty.points_balance(customer) == 0 == ledger_sum(customer)
    refund = LoyaltyEntry.objects.get(order=order, reason="refund")
    assert refund.points == -500


def test_a_partial_refund_takes_back_all_the_points_of_its_part(make_order, customer):
    lamp = ProductFactory(price=Decimal("20.00"))
    order = make_order({lamp.pk: 2}, customer=customer)  # 40.00: 1000 points
    order_services.create_invoice(order)
    loyalty.spend_points(customer, 900, [events.part("a code")])
    line = order.lines.get(product=lamp)
    order_services.create_credit_note(order, {line.pk: 1})
    entry = LoyaltyEntry.objects.get(order=order, reason="refund")
    assert entry.points == -500 and "already spent" not in entry.note
    assert loyalty.points_balance(customer) == -400 == ledger_sum(customer)


def test_a_customer_owing_points_reads_so_on_the_account_page(make_order, customer, pay, cancel):
    order = pay(make_order(customer=customer))
    loyalty.spend_points(customer, 300, [events.part("a code")])
    cancel(order)
    assert loyalty.points_balance(customer) == -300
    shopper = Client()
    shopper.force_login(customer)
    html = shopper.get(reverse("customers:account")).content.decode()
    assert "You owe <strong>300</strong> points" in html and "<strong>-300</strong>" not in html


def test_the_account_page_says_one_point_owed_in_the_singular(make_order, customer, pay, cancel):
    order = pay(make_order(customer=customer))
    loyalty.spend_points(customer, 1, [events.part("a code")])
    cancel(order)
    shopper = Client()
    shopper.force_login(customer)
    html = shopper.get(reverse("customers:account")).content.decode()
    assert "You owe <strong>1</strong> point:" in html


def test_the_database_keeps_the_sign_of_given_back_points(customer):
    with pytest.raises(IntegrityError), transaction.atomic():
        LoyaltyEntry.objects.create(customer=customer, points=-5, reason="unspend")


def test_a_code_deactivated_by_an_operator_is_not_voided_again(make_order, customer, pay, cancel):
    order = pay(make_order(customer=customer))  # 500
    reward = campaign(200, "Twice")
    first = voucher_services.buy_code_with_points(customer, reward)
    second = voucher_services.buy_code_with_points(customer, reward)
    Code.objects.filter(pk=second.pk).update(is_active=False)  # by an operator
    cancel(order)  # 100 - 500 = -400: the newer code is inactive already, the older goes
    first.refresh_from_db()
    assert not first.is_active
    assert not PointsPurchase.objects.get(code=second).voided_at
    assert loyalty.points_balance(customer) == -200 == ledger_sum(customer)
    assert voucher_services.settle_points_debt(customer.pk) == []  # nothing left to void


def test_settling_does_nothing_while_nothing_is_owed(customer):
    loyalty.adjust_points(customer, 500, "bonus")
    code = voucher_services.buy_code_with_points(customer, campaign(500, "Kept"))
    assert voucher_services.settle_points_debt(customer.pk) == []
    code.refresh_from_db()
    assert code.is_active


def test_a_partial_refund_voids_an_unused_code_its_points_bought(make_order, customer):
    """A partial credit note is not a cancellation (no ``order_canceled``): the loyalty
    module's own ``points_owed`` signal voids the code all the same."""
    lamp = ProductFactory(price=Decimal("20.00"))
    order = make_order({lamp.pk: 2}, customer=customer)  # 40.00: 1000 points
    order_services.create_invoice(order)
    code = voucher_services.buy_code_with_points(customer, campaign(1000, "Partial"))
    assert loyalty.points_balance(customer) == 0
    order_services.create_credit_note(order, {order.lines.get(product=lamp).pk: 1})
    code.refresh_from_db()
    assert not code.is_active and not usable(code, customer)
    # 500 taken back, 1000 given back for the voided code: nothing is owed.
    assert loyalty.points_balance(customer) == 500 == ledger_sum(customer)
