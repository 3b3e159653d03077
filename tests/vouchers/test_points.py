"""Buying a code with loyalty points: both or neither (S7, S6)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from customers import loyalty
from customers import services as customer_services
from shop import events
from tests.factories import UserFactory
from vouchers import services
from vouchers.errors import VoucherError

from .factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_campaign():
    campaign = CampaignFactory(name="Reward", points_price=300, kind="single")
    CodeFactory(campaign=campaign, text="REWARD1")
    CodeFactory(campaign=campaign, text="REWARD2")
    return campaign


def give(customer, points):
    loyalty.adjust_points(customer, points, "test")


def test_buying_deducts_points_and_assigns_a_code(customer, shop_campaign):
    give(customer, 500)
    code = services.buy_code_with_points(customer, shop_campaign)
    assert code.text == "REWARD1" and code.assigned_to == customer
    assert loyalty.points_balance(customer) == 200


def test_not_enough_points_assigns_nothing(customer, shop_campaign):
    give(customer, 100)
    with pytest.raises(customer_services.CustomerError):
        services.buy_code_with_points(customer, shop_campaign)
    assert not shop_campaign.codes.filter(assigned_to__isnull=False).exists()
    assert loyalty.points_balance(customer) == 100


def test_sold_out_takes_no_points(customer, shop_campaign):
    shop_campaign.codes.update(is_active=False)
    give(customer, 1000)
    with pytest.raises(VoucherError, match="are gone"):
        services.buy_code_with_points(customer, shop_campaign)
    assert loyalty.points_balance(customer) == 1000


def test_campaign_without_points_price_cannot_be_bought(customer):
    campaign = CampaignFactory()
    CodeFactory(campaign=campaign)
    give(customer, 1000)
    with pytest.raises(VoucherError, match="cannot be bought"):
        services.buy_code_with_points(customer, campaign)


def test_account_page_lists_and_buys(client, customer, shop_campaign):
    give(customer, 400)
    client.force_login(customer)
    page = client.get(reverse("vouchers:account_codes"))
    html = page.content.decode()
    assert page.status_code == 200 and "Buy for 300 points" in html and "400" in html
    response = client.post(reverse("vouchers:buy_code", args=[shop_campaign.pk]), follow=True)
    html = response.content.decode()
    assert "REWARD1" in html
    assert loyalty.points_balance(customer) == 100
    response = client.post(reverse("vouchers:buy_code", args=[shop_campaign.pk]), follow=True)
    assert shop_campaign.codes.filter(assigned_to=customer).count() == 1
    assert loyalty.points_balance(customer) == 100


def test_account_home_panel_links_to_codes(client, customer, shop_campaign):
    client.force_login(customer)
    html = client.get(reverse("customers:account")).content.decode()
    assert reverse("vouchers:account_codes") in html


def test_account_codes_needs_login(client):
    response = client.get(reverse("vouchers:account_codes"))
    assert response.status_code == 302 and reverse("customers:login") in response["Location"]


def test_bought_code_is_personal(make_order, customer, shop_campaign):
    give(customer, 300)
    code = services.buy_code_with_points(customer, shop_campaign)
    with pytest.raises(VoucherError, match="Please log in"):
        make_order(voucher_code=code.text)
    assert make_order(customer=customer, voucher_code=code.text).discount_total > 0


def test_account_page_marks_expired_codes(client, customer):
    from datetime import timedelta

    from django.utils import timezone

    old = CampaignFactory(kind="assigned", valid_to=timezone.localdate() - timedelta(days=1))
    CodeFactory(campaign=old, text="OLDONE", assigned_to=customer)
    client.force_login(customer)
    html = client.get(reverse("vouchers:account_codes")).content.decode()
    assert "OLDONE" in html and "expired" in html and "ready to use" not in html


@pytest.mark.parametrize(
    "limits",
    [
        {"max_uses": 1, "uses_count": 1},
        {"budget": Decimal("10.00"), "discount_spent": Decimal("10.00")},
    ],
    ids=["uses", "budget"],
)
def test_a_used_up_campaign_sells_no_code(customer, limits):
    """Its codes are refused at the checkout ("the campaign has ended"): the points would be
    gone for a code that can never be redeemed. Nor is it offered."""
    campaign = CampaignFactory(name="Reward", points_price=300, kind="single", **limits)
    CodeFactory(campaign=campaign)
    give(customer, 500)
    assert campaign not in services.points_campaigns()
    with pytest.raises(VoucherError, match="not available any more"):
        services.buy_code_with_points(customer, campaign)
    assert loyalty.points_balance(customer) == 500
    assert not campaign.codes.filter(assigned_to__isnull=False).exists()


def test_codes_sold_for_points_hold_the_uses_left(customer):
    """A campaign of 2 uses sells 2 codes, not 3: each unused code bought is owed its use."""
    campaign = CampaignFactory(name="Reward", points_price=100, kind="single", max_uses=2)
    for _ in range(3):
        CodeFactory(campaign=campaign)
    other = UserFactory()
    give(customer, 500)
    give(other, 500)
    services.buy_code_with_points(customer, campaign)
    services.buy_code_with_points(other, campaign)
    with pytest.raises(VoucherError, match="are gone"):
        services.buy_code_with_points(customer, campaign)
    assert loyalty.points_balance(customer) == 400


def test_the_order_that_uses_up_the_budget_gives_back_the_points_of_unused_codes(
    make_order, customer, django_capture_on_commit_callbacks
):
    """A campaign sold for points with a budget: the order that spends the last of it
    leaves every other code bought for points useless ("the campaign has ended"), so each
    is voided and its points go back to its buyer, with a ledger entry saying why."""
    campaign = CampaignFactory(
        name="Reward",
        points_price=100,
        kind="single",
        discount_type="amount",
        discount_value=Decimal("5.00"),
        budget=Decimal("5.00"),
    )
    CodeFactory(campaign=campaign)
    CodeFactory(campaign=campaign)
    other = UserFactory()
    give(customer, 100)
    give(other, 100)
    mine = services.buy_code_with_points(customer, campaign)
    theirs = services.buy_code_with_points(other, campaign)
    assert loyalty.points_balance(other) == 0
    with django_capture_on_commit_callbacks(execute=True):
        make_order(customer=customer, email=customer.email, voucher_code=mine.text)
    theirs.refresh_from_db()
    assert not theirs.is_active
    assert loyalty.points_balance(other) == 100
    assert loyalty.points_balance(customer) == 0  # the code used keeps its price
    entry = other.loyalty_entries.order_by("-pk").first()
    assert "used up its budget" in events.render(entry.message)
    assert services.withdraw_codes_of_used_up_campaigns() == 0  # nothing left to do
