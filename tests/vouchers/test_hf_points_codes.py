"""Codes sold for loyalty points are nobody's until bought, and codes cannot be found by
trying them in the cart (audit: a guest guessed a 10 € points code in 854 requests)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from customers import loyalty
from tests.factories import UserFactory
from vouchers import services
from vouchers.errors import VoucherError
from vouchers.models import Campaign, Code, PointsPurchase

from .factories import CampaignFactory, CodeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

NOT_ISSUED = "has not been issued to a customer yet"
TOO_MANY = "Too many discount codes from your connection did not work"


@pytest.fixture
def reward():
    """A points campaign as the demo's: single-use, 10 € off, 500 points a code."""
    campaign = CampaignFactory(
        name="Points reward 10 EUR",
        kind=Campaign.Kind.SINGLE,
        discount_type=Campaign.DiscountType.AMOUNT,
        discount_value=Decimal("10"),
        points_price=500,
    )
    CodeFactory(campaign=campaign, text="PTS0001123")
    CodeFactory(campaign=campaign, text="PTS0002456")
    return campaign


@pytest.fixture
def cart_client(client, product):
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 2})  # 40.00
    return client


def order(goods="40.00"):
    return SimpleNamespace(goods_total=Decimal(goods), shipping_total=Decimal("4.90"), email="")


def buy(customer, campaign):
    loyalty.adjust_points(customer, campaign.points_price, "test")
    return services.buy_code_with_points(customer, campaign)


# --- 1. A points code is usable only once bought, and only by its buyer ---------------------


@pytest.mark.parametrize("kind", [Campaign.Kind.SINGLE, Campaign.Kind.ASSIGNED])
def test_a_points_code_not_bought_yet_is_refused_to_guests_and_customers(customer, kind):
    campaign = CampaignFactory(kind=kind, points_price=300)
    CodeFactory(campaign=campaign, text="UNSOLD1")
    for who in (None, customer):
        with pytest.raises(VoucherError, match=NOT_ISSUED):
            services.quote_for_checkout("UNSOLD1", customer=who, order=order())


def test_the_checkout_refuses_a_points_code_not_bought_yet(make_order, reward):
    with pytest.raises(VoucherError, match=NOT_ISSUED):
        make_order(voucher_code="PTS0002456")


def test_the_cart_refuses_a_points_code_not_bought_yet(cart_client, reward):
    response = cart_client.post(reverse("vouchers:cart_code"), {"code": "PTS0002456"}, follow=True)
    assert NOT_ISSUED in response.content.decode()
    assert "voucher_code" not in cart_client.session


def test_the_refusal_is_said_in_the_customers_language(client, product, reward):
    with translation.override("de"):
        client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 2})
        response = client.post(reverse("vouchers:cart_code"), {"code": "PTS0002456"}, follow=True)
    assert "Der Rabattcode „PTS0002456“ wurde noch keinem Kunden zugeteilt." in (
        response.content.decode()
    )


def test_a_bought_points_code_works_for_its_buyer_only(customer, reward):
    code = buy(customer, reward)
    quote = services.quote_for_checkout(code.text, customer=customer, order=order())
    assert quote.discount == Decimal("10.00")
    other = UserFactory()
    with pytest.raises(VoucherError, match="belongs to another customer"):
        services.quote_for_checkout(code.text, customer=other, order=order())
    with pytest.raises(VoucherError, match="Please log in"):
        services.quote_for_checkout(code.text, customer=None, order=order())


def test_codes_without_a_points_price_stay_usable_by_anyone():
    CodeFactory(text="PUBLIC1", campaign=CampaignFactory(kind=Campaign.Kind.SINGLE))
    assert services.quote_for_checkout("PUBLIC1", customer=None, order=order()).discount > 0


def test_points_codes_cannot_be_assigned_by_criteria(make_order, customer, reward):
    make_order(customer=customer)
    with pytest.raises(VoucherError, match="sold for loyalty points"):
        services.assign_codes(reward, services.Criteria(min_orders=1))
    assert not Code.objects.filter(campaign=reward, assigned_to__isnull=False).exists()


def test_the_assign_form_refuses_a_points_campaign(admin_client, reward):
    response = admin_client.post(
        reverse("admin:vouchers_campaign_assign"),
        {"campaign": reward.pk, "min_orders": "1", "assign": "1"},
    )
    assert response.status_code == 200
    assert "sold for loyalty points" in response.content.decode()


def test_buying_records_the_purchase_with_its_ledger_entry(customer, reward):
    code = buy(customer, reward)
    purchase = PointsPurchase.objects.get(code=code)
    assert purchase.points == 500 and purchase.voided_at is None
    assert (purchase.spend_entry.reason, purchase.spend_entry.points) == ("spend", -500)
    assert purchase.spend_entry.customer_id == customer.pk


def test_a_campaign_with_bought_unused_codes_can_still_be_deleted(customer, reward):
    code = buy(customer, reward)
    services.delete_campaign(reward)
    assert not Code.objects.filter(pk=code.pk).exists()
    assert not PointsPurchase.objects.exists()


def test_the_export_still_lists_every_code_of_a_points_campaign(customer, reward):
    from vouchers.exports import export_rows

    buy(customer, reward)
    rows = list(export_rows(reward))
    assert [row[0] for row in rows] == ["PTS0001123", "PTS0002456"]
    assert rows[0][2] == customer.email and rows[1][2] == ""


# --- 2. The cart's code field counts failed lookups per client ------------------------------


def test_failed_codes_use_up_the_allowance_then_no_code_is_looked_up(cart_client, settings, reward):
    settings.VOUCHER_CODE_FAILED_LIMIT = 3
    CodeFactory(text="GOOD10", campaign=CampaignFactory(kind=Campaign.Kind.SINGLE))
    url = reverse("vouchers:cart_code")
    for guess in ("PTS0001100", "PTS0001101", "PTS0002456"):  # unknown, unknown, not issued
        html = cart_client.post(url, {"code": guess}, follow=True).content.decode()
        assert TOO_MANY not in html
    html = cart_client.post(url, {"code": "PTS0001123"}, follow=True).content.decode()
    assert TOO_MANY in html and "try again in 60 minutes" in html and NOT_ISSUED not in html
    # Once used up, even a code that works is not looked up (it would tell a guess apart).
    html = cart_client.post(url, {"code": "GOOD10"}, follow=True).content.decode()
    assert TOO_MANY in html and "is applied" not in html
    assert "voucher_code" not in cart_client.session


def test_codes_that_work_never_count(cart_client, settings):
    settings.VOUCHER_CODE_FAILED_LIMIT = 2
    CodeFactory(text="GOOD10", campaign=CampaignFactory(kind=Campaign.Kind.MULTI))
    url = reverse("vouchers:cart_code")
    for _attempt in range(6):
        html = cart_client.post(url, {"code": "GOOD10"}, follow=True).content.decode()
        assert "is applied" in html and TOO_MANY not in html
        cart_client.post(url, {"action": "remove"})
    html = cart_client.post(url, {"code": "NOPE"}, follow=True).content.decode()
    assert "does not exist" in html


def test_another_client_is_not_limited(cart_client, client, settings, product):
    settings.VOUCHER_CODE_FAILED_LIMIT = 1
    url = reverse("vouchers:cart_code")
    cart_client.post(url, {"code": "NOPE1"})
    assert TOO_MANY in cart_client.post(url, {"code": "NOPE2"}, follow=True).content.decode()
    html = cart_client.post(
        url, {"code": "NOPE3"}, REMOTE_ADDR="10.0.0.9", follow=True
    ).content.decode()
    assert "does not exist" in html and TOO_MANY not in html


def test_removing_the_code_is_never_limited(cart_client, settings):
    settings.VOUCHER_CODE_FAILED_LIMIT = 1
    url = reverse("vouchers:cart_code")
    cart_client.post(url, {"code": "NOPE1"})
    html = cart_client.post(url, {"action": "remove"}, follow=True).content.decode()
    assert "The discount code was removed." in html


# --- 4. The percent range the message names is the one the shop keeps ---------------------


@pytest.mark.parametrize("value", [0, 150])
def test_an_out_of_range_percent_names_the_real_range(value):
    with pytest.raises(VoucherError) as error:
        services.generate_campaign(name="Pct", count=1, discount_value=value)
    assert error.value.message == "A percent discount must be more than 0 and at most 100."


@pytest.mark.parametrize("value", ["0.5", "100"])
def test_the_ends_of_the_percent_range_are_accepted(value):
    campaign = services.generate_campaign(name="Pct", count=1, discount_value=Decimal(value))
    assert campaign.discount_value == Decimal(value)


# --- The codes bought before purchases were recorded ---------------------------------------


def test_the_migration_records_codes_bought_before(customer, reward):
    """Migration 0011 finds the bought codes by their spend entries' notes."""
    import importlib

    from django.apps import apps

    from shop import events

    migration = importlib.import_module("vouchers.migrations.0011_points_purchase")
    code = reward.codes.get(text="PTS0001123")
    code.assigned_to = customer
    code.save()
    loyalty.adjust_points(customer, 600, "test")
    bought = [
        events.part("Discount code %(code)s (%(campaign)s)", code=code.text, campaign=reward.name)
    ]
    entry = loyalty.spend_points(customer, 500, bought)
    # A note naming a code someone else holds now, and another spend, are left alone.
    loyalty.spend_points(
        customer,
        50,
        [events.part("Discount code %(code)s (%(campaign)s)", code="PTS0002456", campaign="x")],
    )
    loyalty.spend_points(customer, 10, [events.part("something else")])
    migration.record_bought_codes(apps, None)
    purchase = PointsPurchase.objects.get()
    assert (purchase.code, purchase.points, purchase.spend_entry) == (code, 500, entry)
    migration.record_bought_codes(apps, None)  # run again: nothing twice
    assert PointsPurchase.objects.count() == 1
