"""Loyalty points buy discount codes: one staff member adds at most the shop's daily limit of
points by corrections; more needs a second person (the Shop manager,
customers.adjust_points_beyond_limit). A correction of 1,000,000 points by Sales was €20,000
of discount codes at the demo's price (500 points for a €10 code)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from customers import loyalty
from customers.models import LoyaltyEntry
from customers.services import CustomerError
from shop.models import ShopSettings
from tests.factories import RoleUserFactory, UserFactory
from tests.formtokens import fresh
from tests.race import run_concurrently


def _limit(value):
    shop = ShopSettings.load()
    shop.staff_points_limit = value
    shop.save()


@pytest.mark.django_db
def test_sales_adds_up_to_the_limit_the_shop_manager_beyond_it():
    assert ShopSettings.load().staff_points_limit == 5000
    sales = RoleUserFactory(role="Sales")
    anna, ben = UserFactory(), UserFactory()
    loyalty.adjust_points(anna, 3000, "goodwill", by=sales)
    with pytest.raises(CustomerError) as exc, translation.override("en"):
        loyalty.adjust_points(ben, 2500, "goodwill", by=sales)  # both customers count
    assert "daily limit of 5,000 loyalty points" in exc.value.message
    assert "you have added 3,000 today, 2,000 are left" in exc.value.message
    assert exc.value.field == "points"
    assert loyalty.points_balance(ben) == 0
    loyalty.adjust_points(anna, -1000, "typo", by=sales)  # taking away: no limit
    loyalty.adjust_points(ben, 2000, "goodwill", by=sales)
    assert loyalty.points_allowance(sales) == (5000, 5000, 0)
    manager = RoleUserFactory(role="Shop manager")
    loyalty.adjust_points(ben, 100_000, "campaign", by=manager)
    assert loyalty.points_allowance(manager) is None
    entry = LoyaltyEntry.objects.filter(points=2000).get()
    assert entry.staff == sales


@pytest.mark.django_db
def test_the_limit_is_per_day_and_empty_means_none():
    _limit(100)
    sales = RoleUserFactory(role="Sales")
    customer = UserFactory()
    loyalty.adjust_points(customer, 100, "goodwill", by=sales)
    LoyaltyEntry.objects.update(created=timezone.now() - timedelta(days=1))
    loyalty.adjust_points(customer, 100, "goodwill", by=sales)
    with pytest.raises(CustomerError):
        loyalty.adjust_points(customer, 1, "goodwill", by=sales)
    _limit(None)
    loyalty.adjust_points(customer, 50_000, "goodwill", by=sales)
    loyalty.adjust_points(customer, 10, "system")  # the shop itself: no staff member


@pytest.mark.django_db
def test_the_page_shows_what_is_left_and_refuses_more(client):
    _limit(500)
    sales = RoleUserFactory(role="Sales")
    customer = UserFactory()
    client.force_login(sales)
    url = reverse("admin:customers_user_points", args=[customer.pk])
    assert "500 of 500 left today" in client.get(url).content.decode()
    response = client.post(url, fresh({"points": "501", "note": "goodwill"}))
    assert response.status_code == 200 and "daily limit of 500" in response.content.decode()
    assert loyalty.points_balance(customer) == 0
    assert client.post(url, fresh({"points": "200", "note": "goodwill"})).status_code == 302
    assert "300 of 500 left today" in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_corrections_at_once_do_not_pass_the_limit_together():
    _limit(100)
    sales = RoleUserFactory(role="Sales")
    customers = [UserFactory() for _ in range(4)]

    def add(i):
        return loyalty.adjust_points(customers[i], 60, "goodwill", by=sales)

    outcomes = run_concurrently(add, 4)
    assert sum(isinstance(o, LoyaltyEntry) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, CustomerError) for o in outcomes) == 3
