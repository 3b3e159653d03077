"""Deleting a campaign gives the points of its codes bought with loyalty points back (audit: a
customer with 500 points bought a code for 300, an operator deleted the campaign — the code
and its purchase were gone, the balance stayed at 200, and nothing warned the operator).

Every bought code that is unused and not voided gives its price back to its buyer in the
deletion's transaction, with a ledger entry saying why; the confirmation page says how many
customers get how many points back. A voided code's points went back already, and a used
code keeps the campaign from being deleted at all: neither gives anything (again)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from customers import loyalty
from customers.models import LoyaltyEntry
from orders import services as order_services
from shop.models import ShopSettings
from tests.factories import UserFactory
from vouchers import services
from vouchers.errors import VoucherError
from vouchers.models import Campaign, Code, PointsPurchase

from .factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reward():
    campaign = CampaignFactory(name="Reward", kind=Campaign.Kind.SINGLE, points_price=300)
    for n in range(1, 4):
        CodeFactory(campaign=campaign, text=f"REWARD{n}")
    return campaign


def buy(customer, campaign, points=500):
    loyalty.adjust_points(customer, points, "test")
    return services.buy_code_with_points(customer, campaign)


def given_back(customer):
    return list(
        LoyaltyEntry.objects.filter(customer=customer, reason=LoyaltyEntry.Reason.UNSPEND)
        .order_by("pk")
        .values_list("points", "note")
    )


def delete_page(admin_client, campaign):
    return admin_client.get(reverse("admin:vouchers_campaign_delete", args=[campaign.pk]))


def test_deleting_the_campaign_gives_the_points_of_a_bought_code_back(
    admin_client, customer, reward
):
    """The audit's case, through the backoffice's delete page."""
    code = buy(customer, reward)
    assert loyalty.points_balance(customer) == 200
    response = admin_client.post(reverse("admin:vouchers_campaign_delete", args=[reward.pk]))
    assert response.status_code == 302
    assert not Campaign.objects.filter(pk=reward.pk).exists()
    assert not Code.objects.filter(pk=code.pk).exists() and not PointsPurchase.objects.exists()
    assert loyalty.points_balance(customer) == 500
    assert given_back(customer) == [
        (300, "Discount code REWARD1 withdrawn (campaign Reward deleted)")
    ]


def test_every_buyer_gets_their_own_codes_back_a_deactivated_one_too(customer, reward):
    other = UserFactory()
    buy(customer, reward, 600)
    services.buy_code_with_points(customer, reward)
    third = buy(other, reward, 300)
    Code.objects.filter(pk=third.pk).update(is_active=False)  # by an operator: still owed
    assert services.delete_campaign(reward) == 900
    assert loyalty.points_balance(customer) == 600 and loyalty.points_balance(other) == 300
    assert [points for points, _note in given_back(customer)] == [300, 300]
    assert given_back(other) == [(300, "Discount code REWARD3 withdrawn (campaign Reward deleted)")]


def test_the_confirmation_page_names_the_customers_and_the_points(admin_client, customer, reward):
    buy(customer, reward, 600)
    services.buy_code_with_points(customer, reward)
    buy(UserFactory(), reward, 300)
    html = delete_page(admin_client, reward).content.decode()
    assert "2 customers hold unused codes of this campaign bought with loyalty points." in html
    assert "gives back the 900 points they cost." in html


def test_the_page_says_one_customer_in_the_singular(admin_client, customer, reward):
    buy(customer, reward)
    html = delete_page(admin_client, reward).content.decode()
    assert "1 customer holds unused codes of this campaign bought with loyalty points." in html
    assert "gives back the 300 points they cost." in html


def test_a_campaign_nobody_bought_from_names_no_points(admin_client, reward):
    html = delete_page(admin_client, reward).content.decode()
    assert "Yes, delete" in html
    assert "loyalty points" not in html
    assert services.delete_campaign(reward) == 0


def test_a_voided_code_gives_its_points_back_only_once(make_order, customer, reward):
    """Paid order → 500 points → a code for 300 → the order is canceled: the code is voided
    and its 300 points went back then (services.settle_points_debt)."""
    shop = ShopSettings.load()
    shop.loyalty_points_per_euro = Decimal("25.00")  # 20.00 of goods earn 500 points
    shop.save()
    order = make_order(customer=customer)
    order_services.mark_paid(order)
    assert loyalty.points_balance(customer) == 500
    services.buy_code_with_points(customer, reward)
    order_services.cancel_order(order)
    assert loyalty.points_balance(customer) == 0
    assert len(given_back(customer)) == 1  # the voiding's
    assert services.delete_campaign(reward) == 0
    assert loyalty.points_balance(customer) == 0
    assert len(given_back(customer)) == 1


def test_a_used_code_keeps_the_campaign_and_gives_nothing_back(
    admin_client, make_order, customer, reward
):
    code = buy(customer, reward)
    make_order(customer=customer, voucher_code=code.text)
    with pytest.raises(VoucherError, match="cannot be deleted"):
        services.delete_campaign(reward)
    html = delete_page(admin_client, reward).content.decode()
    assert "cannot be deleted" in html and "loyalty points" not in html
    response = admin_client.post(reverse("admin:vouchers_campaign_delete", args=[reward.pk]))
    assert response.status_code == 200
    assert Code.objects.filter(pk=code.pk).exists() and PointsPurchase.objects.exists()
    assert loyalty.points_balance(customer) == 200 and given_back(customer) == []


def test_a_code_freed_by_a_canceled_order_is_unused_again(make_order, customer, reward):
    code = buy(customer, reward)
    order = make_order(customer=customer, voucher_code=code.text)
    order_services.cancel_order(order)  # the code is free again (nothing was owed)
    services.delete_campaign(reward)
    assert loyalty.points_balance(customer) == 500
    assert len(given_back(customer)) == 1


def test_a_deleted_buyers_code_gives_nothing_to_nobody(customer, reward):
    buy(customer, reward)
    customer.delete()  # the code stays, assigned to nobody
    assert services.delete_campaign(reward) == 0
    assert not LoyaltyEntry.objects.filter(reason=LoyaltyEntry.Reason.UNSPEND).exists()
