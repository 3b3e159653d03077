from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from shop.db import table
from vouchers import services
from vouchers.errors import VoucherError
from vouchers.models import Campaign, Code

from .factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


def generate(**kwargs):
    values = {"name": "Spring", "count": 5, "discount_type": "percent", "discount_value": 10}
    values.update(kwargs)
    return services.generate_campaign(**values)


def test_generates_campaign_with_codes():
    campaign = generate(name="Spring", count=100, mask="A<NUM:1000>")
    texts = list(campaign.codes.values_list("text", flat=True))
    assert texts == [f"A{n}" for n in range(1000, 1100)]
    assert campaign.requested_count == 100
    assert campaign.mask == "A<NUM:1000>"
    assert all(c.is_active for c in campaign.codes.all())


def test_codes_are_stored_upper_case():
    campaign = generate(count=2, mask="promo<NUM:1>")
    assert list(campaign.codes.values_list("text", flat=True)) == ["PROMO1", "PROMO2"]


def test_clash_with_existing_numbered_code_writes_nothing():
    CodeFactory(text="A1003")
    with pytest.raises(VoucherError, match="already exist: A1003"):
        generate(name="Clash", count=10, mask="A<NUM:1000>")
    assert not Campaign.objects.filter(name="Clash").exists()
    assert Code.objects.count() == 1


def test_clash_of_random_part_is_regenerated():
    for n in range(1, 4):
        CodeFactory(text=f"BBB1{n}")  # BBB11 … BBB13 exist: BBB1<RAND> is BBB14 or BBB15
    campaign = generate(name="Retry", count=2, mask="BBB<NUM:1><RAND:1:5>")
    texts = list(campaign.codes.values_list("text", flat=True))
    assert texts[0] in {"BBB14", "BBB15"} and texts[1].startswith("BBB2")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"mask": "A<NUM:x>"}, "whole number"),
        ({"mask": "<NUM:01>", "count": 100}, "only 99 distinct"),
        ({"discount_value": 0}, "more than 0 and at most 100"),
        ({"discount_value": 150}, "more than 0 and at most 100"),
        ({"discount_type": "amount", "discount_value": None}, "more than 0"),
        ({"name": "  "}, "name"),
        ({"min_order_value": Decimal("-1")}, "negative"),
        ({"kind": "weird"}, "Unknown kind"),
    ],
)
def test_invalid_input_writes_nothing(kwargs, message):
    with pytest.raises(VoucherError, match=message):
        generate(**kwargs)
    assert Campaign.objects.count() == 0 and Code.objects.count() == 0


def test_dates_must_be_in_order():
    from datetime import date

    with pytest.raises(VoucherError, match="before"):
        generate(valid_from=date(2026, 5, 1), valid_to=date(2026, 4, 1))


def test_campaign_names_are_unique_case_insensitively():
    generate(name="Summer")
    with pytest.raises(VoucherError, match="already exists"):
        generate(name="SUMMER", mask="X<NUM:1>")


def test_database_refuses_lower_case_and_case_duplicates():
    campaign = CampaignFactory()
    CodeFactory(campaign=campaign, text="ABC")
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.create(campaign=campaign, text="abc")
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.create(campaign=campaign, text="ABC")


def test_codes_must_belong_to_an_existing_campaign():
    with pytest.raises(Exception, match="missing campaign"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table(Code)} (campaign_id, text, is_active) VALUES (999999, 'X', true)"
            )


def test_delete_campaign_removes_codes_unless_used(make_order):
    campaign = generate(name="Gone", count=3, mask="GONE<NUM:1>")
    services.delete_campaign(campaign)
    assert not Code.objects.filter(text__startswith="G").exists()

    used = generate(name="Kept", count=2, mask="KEPT<NUM:1>")
    make_order(voucher_code="KEPT1")
    with pytest.raises(VoucherError, match="cannot be deleted"):
        services.delete_campaign(used)
    assert used.codes.count() == 2


def test_progress_is_reported():
    seen = []
    generate(count=20, mask="PROG<NUM:1>", progress=seen.append)
    assert seen[0] < seen[-1] == 100
