"""Campaign rules that kept money or codes from working (issue 18, point 8)."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

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
