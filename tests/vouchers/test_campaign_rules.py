"""Campaign rules that kept money or codes from working (issue 18, point 8)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from tests.checkout import add_to_cart, checkout_post
from tests.factories import ProductFactory
from vouchers import services
from vouchers.errors import VoucherError
from vouchers.forms import AssignCodesForm, GenerateCodesForm
from vouchers.models import Campaign

from .factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


def test_a_multi_use_campaign_with_a_points_price_is_refused_at_creation():
    with pytest.raises(VoucherError, match="single-use and assigned codes"):
        services.generate_campaign(
            name="Shared points", count=1, kind="multi", discount_value=10, points_price=100
        )
    assert not Campaign.objects.exists()
    campaign = services.generate_campaign(
        name="Bought", count=1, kind="single", discount_value=10, points_price=100
    )
    assert campaign in services.points_campaigns()


def test_the_form_and_the_command_refuse_it_too():
    form = GenerateCodesForm(
        {
            "name": "Shared",
            "kind": "multi",
            "count": "1",
            "discount_type": "percent",
            "discount_value": "10",
            "points_price": "100",
        }
    )
    assert not form.is_valid()
    assert "single-use and assigned codes" in str(form.errors["points_price"])
    with pytest.raises(CommandError, match="single-use and assigned codes"):
        call_command(
            "generate_codes", "--name", "X", "--count", "1", "--kind", "multi",
            "--percent", "5", "--points-price", "10",
        )  # fmt: skip


def test_the_database_refuses_a_points_price_on_a_multi_use_campaign():
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(
            name="Raw", kind="multi", discount_type="percent", discount_value=5, points_price=9
        )


def test_the_assign_form_refuses_an_expired_campaign(make_order, customer):
    make_order(customer=customer)
    yesterday = timezone.localdate() - timedelta(days=1)
    expired = CampaignFactory(kind="assigned", valid_from=yesterday - timedelta(days=9))
    Campaign.objects.filter(pk=expired.pk).update(valid_to=yesterday)
    CodeFactory(campaign=expired)
    form = AssignCodesForm({"campaign": expired.pk, "min_orders": "1"})
    assert not form.is_valid()
    assert "has expired" in str(form.errors["campaign"])


def test_the_assign_page_shows_the_error_and_starts_no_job(admin_client, make_order, customer):
    from vouchers.models import CodeJob

    make_order(customer=customer)
    expired = CampaignFactory(kind="assigned", valid_to=timezone.localdate() - timedelta(days=1))
    CodeFactory(campaign=expired)
    response = admin_client.post(
        reverse("admin:vouchers_campaign_assign"), {"campaign": expired.pk, "min_orders": "1"}
    )
    assert response.status_code == 200
    assert "has expired" in response.content.decode()
    assert not CodeJob.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        {},  # Germany: the gross goods value
        # Switzerland: an export delivery, priced net at placement (55.00 → 46.22)
        {"billing_postcode": "8001", "billing_city": "Zürich", "billing_country": "CH"},
    ],
)
def test_a_minimum_order_value_is_measured_as_the_cart_showed_it(
    client, shipping, card_payment, address
):
    """The cart accepted the code for 55.00 of goods (from 50.00); a delivery to Switzerland
    prices the order net, and the checkout refused the same goods as 46.22."""
    coat = ProductFactory(name="Coat", price=Decimal("55.00"), tax_rate=Decimal("19.00"))
    campaign = CampaignFactory(
        kind=Campaign.Kind.MULTI,
        discount_type=Campaign.DiscountType.AMOUNT,
        discount_value=Decimal("10.00"),
        min_order_value=Decimal("50.00"),
    )
    CodeFactory(campaign=campaign, text="TEN")
    add_to_cart(client, coat)
    client.post(reverse("vouchers:cart_code"), {"code": "TEN"})
    assert client.session.get("voucher_code") == "TEN"
    response = client.post(
        reverse("orders:checkout"),
        checkout_post(shipping, card_payment, voucher_code="TEN", **address),
    )
    assert response.status_code == 302, response.context["form"].errors
    order = Order.objects.get()
    assert order.voucher_code == "TEN" and order.discount_total == Decimal("10.00")
    assert order.export_delivery == bool(address)


def test_a_free_shipping_code_whose_budget_no_longer_covers_the_shipping_is_refused(
    client, product, shipping, card_payment
):
    """2.00 left of the budget, 4.90 shipping: the page showed shipping as free, and the
    order charged 2.90 of it that it never showed. All of the shipping or nothing."""
    campaign = CampaignFactory(
        kind=Campaign.Kind.MULTI,
        discount_type=Campaign.DiscountType.FREE_SHIPPING,
        discount_value=Decimal("0"),
        budget=Decimal("100.00"),
        discount_spent=Decimal("98.00"),
    )
    CodeFactory(campaign=campaign, text="SHIPFREE")
    add_to_cart(client, product)
    response = client.post(
        reverse("orders:checkout"),
        checkout_post(shipping, card_payment, voucher_code="SHIPFREE"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["voucher_code"] == [
        "The discount code “SHIPFREE” does not cover this shipping any more: the campaign is "
        "nearly used up."
    ]
    assert not Order.objects.exists()
    # with enough left it is free shipping, in full
    Campaign.objects.filter(pk=campaign.pk).update(discount_spent=Decimal("95.00"))
    response = client.post(
        reverse("orders:checkout"),
        checkout_post(shipping, card_payment, voucher_code="SHIPFREE"),
    )
    assert response.status_code == 302, response.context["form"].errors
    order = Order.objects.get()
    assert order.shipping_discount == order.shipping_total == Decimal("4.90")
