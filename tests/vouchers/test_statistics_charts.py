"""Campaign statistics as charts, the campaign CSV's name, the date picker of "Generate
codes" and the campaigns' start-page figure (issue 26, items 1, 2 and 5)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from vouchers import services
from vouchers.dashboard import campaigns_by_discount
from vouchers.models import Redemption

from .factories import CampaignFactory, CodeFactory
from .test_admin import make_campaign

pytestmark = pytest.mark.django_db


def test_statistics_show_redemptions_per_day_and_discount_against_value(
    admin_client, make_order, product
):
    campaign = make_campaign("Charts", count=3, discount_value=Decimal("10"), kind="multi")
    make_order({product.pk: 1}, voucher_code="CHA001")
    earlier = make_order({product.pk: 3}, voucher_code="CHA001")
    Redemption.objects.filter(order=earlier).update(created=timezone.now() - timedelta(days=2))
    timeline, unit = services.campaign_timeline(campaign)
    assert unit == "day" and len(timeline) == 3
    assert [uses for _day, uses, _value, _discount in timeline] == [1, 0, 1]
    assert timeline[0][3] == Decimal("6.00") and timeline[-1][3] == Decimal("2.00")
    page = admin_client.get(
        reverse("admin:vouchers_campaign_statistics", args=[campaign.pk])
    ).content.decode()
    assert "Redemptions per day" in page
    assert "Discount against order value per day" in page
    assert page.count('role="img"') == 2
    assert "The discount granted is" in page


def test_long_campaigns_are_charted_per_month(make_order, product):
    campaign = make_campaign("Long", count=2, discount_value=Decimal("10"), kind="multi")
    old = make_order({product.pk: 1}, voucher_code="LON001")
    make_order({product.pk: 1}, voucher_code="LON001")
    Redemption.objects.filter(order=old).update(created=timezone.now() - timedelta(days=200))
    timeline, unit = services.campaign_timeline(campaign)
    assert unit == "month" and 6 <= len(timeline) <= 8
    assert sum(uses for _m, uses, _v, _d in timeline) == 2


def test_campaign_csv_is_named_after_the_campaign(admin_client):
    campaign = CampaignFactory(name="Sommer-Aktion 2026 (Newsletter)")
    CodeFactory(campaign=campaign, text="SUMMER")
    response = admin_client.get(reverse("admin:vouchers_campaign_download", args=[campaign.pk]))
    assert response["Content-Disposition"] == (
        'attachment; filename="codes-sommer-aktion-2026-newsletter.csv"'
    )
    nameless = CampaignFactory(name="!!!")
    response = admin_client.get(reverse("admin:vouchers_campaign_download", args=[nameless.pk]))
    assert f'filename="codes-{nameless.pk}.csv"' in response["Content-Disposition"]


def test_generate_codes_page_loads_the_admin_core_for_the_date_picker(admin_client):
    page = admin_client.get(reverse("admin:vouchers_campaign_generate")).content.decode()
    # The calendar draws its widgets with core.js's quickElement when the page has loaded.
    for script in ("admin/js/core.js", "admin/js/calendar.js", "DateTimeShortcuts.js", "jsi18n"):
        assert script in page
    assert 'class="vDateField"' in page


def test_campaigns_by_discount_given(make_order, product):
    big = make_campaign("Big", count=2, discount_value=Decimal("20"), kind="multi")
    make_campaign("Small", count=2, discount_value=Decimal("5"), kind="multi")
    make_order({product.pk: 2}, voucher_code="BIG001")
    make_order({product.pk: 1}, voucher_code="SMA001")
    rows = campaigns_by_discount()["rows"]
    assert [r["label"] for r in rows] == ["Big", "Small"]
    assert rows[0]["value"] == Decimal("8.00")
    assert rows[0]["url"] == reverse("admin:vouchers_campaign_statistics", args=[big.pk])
