"""Campaign scope and limits across all codes (issue 25): categories/products included or
excluded, products on sale excluded, a total budget and a total-use limit that hold under
concurrent checkouts, and the matching generate_codes flags."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.utils import timezone

from orders.models import Order
from orders.services import cancel_order, place_order
from tests.factories import CategoryFactory, ProductFactory
from tests.race import run_concurrently
from vouchers.errors import VoucherError
from vouchers.models import Campaign, Redemption

from .factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


def campaign_code(text, scope=None, **fields):
    campaign = CampaignFactory(**fields)
    for name, values in (scope or {}).items():
        getattr(campaign, name).set(values)
    CodeFactory(text=text, campaign=campaign)
    return campaign


def test_campaign_limited_to_a_category_discounts_only_its_goods(make_order):
    pantry, kitchen = CategoryFactory(), CategoryFactory()
    jam = ProductFactory(category=pantry, price=Decimal("30.00"))
    pan = ProductFactory(category=kitchen, price=Decimal("70.00"))
    campaign_code("PANTRY", {"categories": [pantry]})
    order = make_order({jam.pk: 1, pan.pk: 1}, voucher_code="PANTRY")
    assert order.discount_total == Decimal("3.00")  # 10 % of the jam only


def test_campaign_limited_to_products_and_excluding_a_category(make_order):
    pantry, kitchen = CategoryFactory(), CategoryFactory()
    jam = ProductFactory(category=pantry, price=Decimal("30.00"))
    honey = ProductFactory(category=pantry, price=Decimal("20.00"))
    pan = ProductFactory(category=kitchen, price=Decimal("50.00"))
    campaign_code("ONLYJAM", {"products": [jam]})
    campaign_code("NOKITCHEN", {"excluded_categories": [kitchen]})
    campaign_code("NOHONEY", {"excluded_products": [honey]})
    items = {jam.pk: 1, honey.pk: 1, pan.pk: 1}
    assert make_order(items, voucher_code="ONLYJAM").discount_total == Decimal("3.00")
    assert make_order(items, voucher_code="NOKITCHEN").discount_total == Decimal("5.00")
    assert make_order(items, voucher_code="NOHONEY").discount_total == Decimal("8.00")


def test_campaign_excluding_products_on_sale(make_order):
    on_sale = ProductFactory(
        price=Decimal("40.00"),
        sale_price=Decimal("30.00"),
        sale_start=timezone.now() - timedelta(days=1),
    )
    regular = ProductFactory(price=Decimal("20.00"))
    campaign_code("NOSALE", exclude_sale_items=True)
    order = make_order({on_sale.pk: 1, regular.pk: 1}, voucher_code="NOSALE")
    assert order.goods_total == Decimal("50.00")  # the sale price is charged
    assert order.discount_total == Decimal("2.00")  # 10 % of the regular product only


def test_code_that_applies_to_nothing_in_the_order_is_refused(make_order):
    pantry = CategoryFactory()
    other = ProductFactory(price=Decimal("20.00"))
    campaign_code("PANTRY", {"categories": [pantry]})
    with pytest.raises(VoucherError, match="does not apply to the products"):
        make_order({other.pk: 1}, voucher_code="PANTRY")
    assert not Order.objects.exists()


def test_budget_caps_the_last_discount_and_then_ends_the_campaign(make_order, product):
    # product: 20.00; 50 % off = 10.00 per order; budget 25.00
    campaign = campaign_code(
        "HALF", kind="multi", discount_value=Decimal("50.00"), budget=Decimal("25.00")
    )
    discounts = [make_order({product.pk: 1}, voucher_code="HALF").discount_total for _ in range(3)]
    assert discounts == [Decimal("10.00"), Decimal("10.00"), Decimal("5.00")]
    with pytest.raises(VoucherError, match="campaign has ended"):
        make_order({product.pk: 1}, voucher_code="HALF")
    campaign.refresh_from_db()
    assert campaign.discount_spent == Decimal("25.00") and campaign.uses_count == 3


def test_total_use_limit_counts_every_code_of_the_campaign(make_order, product):
    campaign = CampaignFactory(kind="single", max_uses=2)
    for text in ("ONE", "TWO", "THREE"):
        CodeFactory(text=text, campaign=campaign)
    make_order({product.pk: 1}, voucher_code="ONE")
    make_order({product.pk: 1}, voucher_code="TWO")
    with pytest.raises(VoucherError, match="campaign has ended"):
        make_order({product.pk: 1}, voucher_code="THREE")


def test_cancel_gives_the_campaign_its_use_and_budget_back(make_order, product):
    campaign = campaign_code("BACK", kind="multi", budget=Decimal("50.00"), max_uses=1)
    order = make_order({product.pk: 1}, voucher_code="BACK")
    cancel_order(order)
    campaign.refresh_from_db()
    assert campaign.uses_count == 0 and campaign.discount_spent == Decimal("0.00")
    make_order({product.pk: 1}, voucher_code="BACK")  # usable again


def test_database_refuses_to_exceed_the_budget(product):
    campaign = CampaignFactory(budget=Decimal("10.00"))
    with pytest.raises(IntegrityError):
        Campaign.objects.filter(pk=campaign.pk).update(discount_spent=Decimal("10.01"))


@pytest.mark.django_db(transaction=True)
def test_budget_holds_under_20_concurrent_checkouts(checkout_data, product):
    # 20 orders of 20.00 at 50 % want 10.00 each; the budget allows 45.00 in total.
    product.stock = None
    product.save()
    campaign = campaign_code(
        "RUSH", kind="multi", discount_value=Decimal("50.00"), budget=Decimal("45.00")
    )
    data = checkout_data(voucher_code="RUSH")

    def attempt(_):
        try:
            return place_order({product.pk: 1}, data).discount_total
        except VoucherError:
            return "refused"

    results = run_concurrently(attempt, 20)
    granted = [r for r in results if r != "refused"]
    assert sum(granted, Decimal("0")) == Decimal("45.00")
    assert sorted(granted) == [Decimal("5.00")] + [Decimal("10.00")] * 4
    assert results.count("refused") == 15
    campaign.refresh_from_db()
    assert campaign.discount_spent == Decimal("45.00") and campaign.uses_count == 5
    assert sum(r.discount for r in Redemption.objects.filter(campaign=campaign)) == Decimal("45.00")


def test_generate_codes_with_scope_budget_and_limits(capsys):
    pantry = CategoryFactory(slug="pantry")
    jam = ProductFactory(sku="PAN-002")
    call_command(
        "generate_codes",
        "--name=Pantry week",
        "--count=3",
        "--kind=multi",
        "--percent=10",
        "--category=pantry",
        "--exclude-product=PAN-002",
        "--exclude-sale",
        "--budget=500.00",
        "--max-uses=100",
        "--per-customer=2",
    )
    campaign = Campaign.objects.get(name="Pantry week")
    assert list(campaign.categories.all()) == [pantry]
    assert list(campaign.excluded_products.all()) == [jam]
    assert campaign.exclude_sale_items and campaign.budget == Decimal("500.00")
    assert campaign.max_uses == 100 and campaign.per_customer_limit == 2
    assert capsys.readouterr().out.strip() == "3"


def test_generate_codes_refuses_unknown_category_and_bad_budget():
    with pytest.raises(CommandError, match="“nowhere” does not exist"):
        call_command("generate_codes", "--name=X", "--count=1", "--percent=5", "--category=nowhere")
    with pytest.raises(CommandError, match="--budget"):
        call_command("generate_codes", "--name=Y", "--count=1", "--percent=5", "--budget=1.234")
    assert not Campaign.objects.exists()
