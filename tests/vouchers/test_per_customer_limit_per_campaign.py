"""A campaign's "uses per customer" counts the person's uses of the campaign, whichever of its
codes they typed: a multi-use campaign generated with several codes (WELC1000, WELC1001 …, easy
to guess) gave one customer €15 instead of €5 with three codes (a money-leak audit)."""

import pytest

from orders.models import Order
from orders.services import place_order
from tests.race import run_concurrently
from vouchers.errors import VoucherError
from vouchers.models import Redemption

from .factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


def campaign_with_codes(*texts, limit=1):
    campaign = CampaignFactory(kind="multi", per_customer_limit=limit)
    for text in texts:
        CodeFactory(text=text, campaign=campaign)
    return campaign


def test_a_second_code_of_the_same_campaign_is_refused_once_the_limit_is_reached(make_order):
    campaign_with_codes("WELC1000", "WELC1001", "WELC1002")
    make_order(voucher_code="WELC1000", email="anna@example.com")
    for other in ("WELC1001", "WELC1002"):
        with pytest.raises(VoucherError, match="as often as allowed"):
            make_order(voucher_code=other, email="anna@example.com")
    assert Redemption.objects.count() == 1
    # Another person still gets their use, with any of the codes.
    make_order(voucher_code="WELC1002", email="ben@example.com")


def test_a_limit_of_two_allows_two_uses_across_the_campaigns_codes(make_order):
    campaign_with_codes("TWO-A", "TWO-B", limit=2)
    make_order(voucher_code="TWO-A", email="anna@example.com")
    make_order(voucher_code="TWO-B", email="anna@example.com")
    with pytest.raises(VoucherError, match="as often as allowed"):
        make_order(voucher_code="TWO-A", email="anna@example.com")


def test_codes_of_another_campaign_do_not_count(make_order):
    campaign_with_codes("FIRST")
    campaign_with_codes("SECOND")
    make_order(voucher_code="FIRST", email="anna@example.com")
    make_order(voucher_code="SECOND", email="anna@example.com")
    assert Redemption.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_one_person_with_different_codes_at_the_same_time_gets_one_use(checkout_data, product):
    codes = [f"RUN{n}" for n in range(8)]
    campaign_with_codes(*codes)
    product.stock = None
    product.save()

    def attempt(n):
        try:
            place_order(
                {product.pk: 1}, checkout_data(voucher_code=codes[n], email="anna@example.com")
            )
            return "ok"
        except VoucherError:
            return "refused"

    results = run_concurrently(attempt, len(codes))
    assert results.count("ok") == 1
    assert Redemption.objects.count() == 1
    assert Order.objects.exclude(voucher_code="").count() == 1
