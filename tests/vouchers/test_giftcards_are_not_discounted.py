"""Gift cards are a means of payment (issue 18, point 1): no discount code, no free-shipping
threshold and no loyalty points make them cheaper than their value."""

from decimal import Decimal

import pytest
from django.urls import reverse

from customers import loyalty
from giftcards.models import GiftCard
from orders.models import Invoice
from orders.services import create_invoice, mark_paid
from tests.checkout import add_to_cart
from tests.factories import ProductFactory, UserFactory
from vouchers.errors import VoucherError
from vouchers.models import Code, Redemption

from .factories import CampaignFactory, CodeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture
def giftcard_product(db):
    return ProductFactory(
        name="Gift card 50", price=Decimal("50.00"), tax_rate=Decimal("0.00"), is_giftcard=True
    )


def ten_off(text="TENOFF", **fields):
    fields = {"discount_type": "amount", "discount_value": Decimal("10.00"), **fields}
    return CodeFactory(text=text, campaign=CampaignFactory(**fields))


def test_a_code_on_a_gift_card_only_cart_is_refused_and_nothing_is_issued_cheaper(
    make_order, giftcard_product
):
    ten_off(min_order_value=Decimal("40.00"))
    with pytest.raises(VoucherError, match="do not apply to gift cards"):
        make_order({giftcard_product.pk: 1}, voucher_code="TENOFF")
    assert not Redemption.objects.exists()

    order = make_order({giftcard_product.pk: 1})
    mark_paid(order)
    assert order.grand_total == Decimal("50.00")
    assert GiftCard.objects.get(issued_by_order=order).initial_value == Decimal("50.00")


@pytest.mark.parametrize("percent", [True, False])
def test_on_a_mixed_cart_only_the_other_goods_are_discounted(
    make_order, product, giftcard_product, percent
):
    if percent:
        CodeFactory(text="SAVE10", campaign=CampaignFactory(discount_value=Decimal("10.00")))
    else:
        ten_off("SAVE10", discount_value=Decimal("30.00"))  # more than the 20.00 of goods
    order = make_order({product.pk: 1, giftcard_product.pk: 1}, voucher_code="SAVE10")
    expected = Decimal("2.00") if percent else Decimal("20.00")
    assert order.discount_total == expected
    # 20.00 goods + 50.00 card: the card does not reach the free-shipping threshold of 50.00
    assert order.shipping_total == Decimal("4.90")
    assert order.grand_total == Decimal("74.90") - expected
    mark_paid(order)
    assert GiftCard.objects.get(issued_by_order=order).initial_value == Decimal("50.00")
    invoice = create_invoice(order)
    card_row = next(row for row in invoice.typed_tax_rows if row["rate"] == Decimal("0.00"))
    assert card_row["gross"] == Decimal("50.00")  # the discount is not spread onto the card


def test_gift_cards_do_not_count_towards_the_minimum_order_value(
    make_order, product, giftcard_product
):
    ten_off(min_order_value=Decimal("40.00"))
    with pytest.raises(VoucherError, match="gift cards do not count"):
        make_order({product.pk: 1, giftcard_product.pk: 1}, voucher_code="TENOFF")
    order = make_order({product.pk: 2, giftcard_product.pk: 1}, voucher_code="TENOFF")
    assert order.discount_total == Decimal("10.00")


def test_gift_cards_earn_no_loyalty_points(make_order, product, giftcard_product):
    customer = UserFactory()
    order = make_order({product.pk: 1, giftcard_product.pk: 2}, customer=customer)
    mark_paid(order)
    assert loyalty.points_balance(customer) == 20  # 20.00 of goods × 1 point, no card


def test_the_cart_page_refuses_a_code_for_a_gift_card_only_cart(client, giftcard_product):
    ten_off()
    add_to_cart(client, giftcard_product)
    response = client.post(reverse("vouchers:cart_code"), {"code": "tenoff"}, follow=True)
    assert "do not apply to gift cards" in response.content.decode()
    assert "voucher_code" not in client.session


def test_a_free_shipping_code_is_refused_when_shipping_is_free_anyway_and_kept(make_order, product):
    campaign = CampaignFactory(kind="single", discount_type="free_shipping", discount_value=0)
    CodeFactory(text="SHIPFREE", campaign=campaign)
    with pytest.raises(VoucherError, match="already free"):
        make_order({product.pk: 3}, voucher_code="SHIPFREE")  # 60.00 ≥ 50.00: free anyway
    assert not Redemption.objects.exists()
    order = make_order({product.pk: 1}, voucher_code="SHIPFREE")  # the code is still there
    assert order.discount_total == order.shipping_total == Decimal("4.90")
    assert Redemption.objects.get().code == Code.objects.get(text="SHIPFREE")


def test_invoice_of_a_discounted_mixed_order_has_the_order_totals(
    make_order, product, giftcard_product
):
    ten_off("SAVE", discount_value=Decimal("5.00"))
    order = make_order({product.pk: 1, giftcard_product.pk: 1}, voucher_code="SAVE")
    invoice = create_invoice(order)
    rows = invoice.typed_tax_rows
    assert sum(row["gross"] for row in rows) == invoice.grand_total == order.grand_total
    assert Invoice.objects.get(order=order).discount_total == Decimal("5.00")
