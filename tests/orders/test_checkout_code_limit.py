"""Discount codes cannot be found by trying them on the checkout page either: codes that did
not work count against the same per-client allowance as the cart page's code field
(``shop.ratelimit.CODE_FAILED_LOOKUPS``); past it the page looks up no new code — a right
one is refused too, so a guess cannot be confirmed — while the code applied on the cart page
keeps working."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import Order
from tests.checkout import add_to_cart, checkout_post
from tests.factories import PaymentMethodFactory, ProductFactory, ShippingMethodFactory
from tests.vouchers.factories import CampaignFactory, CodeFactory
from vouchers.models import Campaign

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many discount codes from your connection did not work"


@pytest.fixture(autouse=True)
def _small_allowance(settings, fresh_cache):
    settings.VOUCHER_CODE_FAILED_LIMIT = 3


@pytest.fixture
def campaign(db):
    campaign = CampaignFactory(
        kind=Campaign.Kind.MULTI,
        discount_type=Campaign.DiscountType.AMOUNT,
        discount_value=Decimal("10.00"),
    )
    CodeFactory(campaign=campaign, text="TENOFF")
    return campaign


@pytest.fixture
def shop(client):
    product = ProductFactory(price=Decimal("40.00"), stock=50)
    shipping = ShippingMethodFactory()
    payment = PaymentMethodFactory(code="invoice", kind="invoice")
    add_to_cart(client, product)

    def post(code, *, place=False):
        data = checkout_post(shipping, payment, voucher_code=code)
        if not place:
            data.pop("accept_terms")
        return client.post(reverse("orders:checkout"), data)

    return post


def code_errors(response):
    """The code's errors as the page shows them: at the field, or from the quote."""
    context = response.context
    return [str(e) for e in context["form"].errors.get("voucher_code", [])] + [
        e.message for e in context.get("quote_errors") or [] if e.field == "voucher_code"
    ]


def test_wrong_codes_on_the_checkout_use_up_the_allowance(shop, campaign):
    for i in range(3):
        errors = code_errors(shop(f"WRONG{i}"))
        assert errors and not any(TOO_MANY in e for e in errors)
    # Past it: no code is looked up — the right one is refused like a wrong one.
    refused = shop("TENOFF", place=True)
    assert any(TOO_MANY in e for e in code_errors(refused))
    assert not Order.objects.exists()
    assert refused.context["order"].discount_total == 0


def test_a_working_code_counts_nothing(shop, campaign):
    for _ in range(5):
        response = shop("TENOFF")
        assert not code_errors(response)
    assert shop("TENOFF", place=True).status_code == 302
    assert Order.objects.get().discount_total == Decimal("10.00")
