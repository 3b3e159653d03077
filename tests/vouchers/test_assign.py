"""Assigning codes to customers by criteria (S7), backoffice form and set-based service."""

import csv
import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from shop.models import OutboxEmail
from tests.factories import ProductFactory, RoleUserFactory, UserFactory
from vouchers import services
from vouchers.errors import VoucherError
from vouchers.models import Code, CodeJob

from .factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


def today():
    """The shop's date when the test runs (a run may cross midnight in Europe/Berlin)."""
    return timezone.localdate()


@pytest.fixture
def shoppers(make_order):
    """big: 2 orders worth 100 + 60; small: 1 order 20 (+4.90 shipping); old: 1 order 60 days ago;
    none: no orders; blocked: rejected customer with a big order."""
    p20 = ProductFactory(price=Decimal("20.00"))
    p50 = ProductFactory(price=Decimal("50.00"))
    people = {k: UserFactory(email=f"{k}@example.com") for k in ("big", "small", "old", "none")}
    people["blocked"] = UserFactory(email="blocked@example.com")
    make_order({p50.pk: 2}, customer=people["big"])  # 100.00
    make_order({p20.pk: 3}, customer=people["big"])  # 60.00
    make_order({p20.pk: 1}, customer=people["small"])  # 24.90
    old = make_order({p20.pk: 3}, customer=people["old"])  # 60.00
    # Noon, 60 local days ago: "now - 60 days" is the day after in the hour before midnight
    # when summer time ended in between (its local date moves with the offset).
    sixty_days_ago = timezone.make_aware(datetime.combine(today() - timedelta(days=60), time(12)))
    Order.objects.filter(pk=old.pk).update(created=sixty_days_ago)
    make_order({p50.pk: 4}, customer=people["blocked"])
    people["blocked"].is_rejected = True
    people["blocked"].save()
    make_order({p50.pk: 10}, email="guest@example.com")  # guests never get codes
    return people


def campaign_with_codes(n=5):
    campaign = CampaignFactory(kind="assigned")
    for i in range(n):
        CodeFactory(campaign=campaign, text=f"AS{campaign.pk}X{i}")
    return campaign


def holders(campaign):
    return set(
        campaign.codes.filter(assigned_to__isnull=False).values_list(
            "assigned_to__email", flat=True
        )
    )


def C(**kw):
    return services.Criteria(**kw)


@pytest.mark.parametrize(
    "criteria, expected",
    [
        (lambda: C(min_order_value=Decimal("60.00")), {"big", "old"}),
        (lambda: C(min_order_value=Decimal("60.01")), {"big"}),
        (lambda: C(min_order_value=Decimal("24.90")), {"big", "old", "small"}),
        (lambda: C(min_orders=2), {"big"}),
        (lambda: C(min_orders=1), {"big", "old", "small"}),
        (lambda: C(ordered_from=today() - timedelta(days=60)), {"big", "old", "small"}),
        (lambda: C(ordered_from=today() - timedelta(days=59)), {"big", "small"}),
        (lambda: C(ordered_to=today() - timedelta(days=60)), {"old"}),
        (lambda: C(ordered_to=today() - timedelta(days=61)), set()),
        (lambda: C(min_order_value=Decimal("50"), ordered_from=today()), {"big"}),
    ],
)
def test_criteria_edges(shoppers, criteria, expected):
    criteria = criteria()  # built when the test runs: the dates are the shop's today
    campaign = campaign_with_codes()
    assigned = services.assign_codes(campaign, criteria)
    assert assigned == len(expected)
    assert holders(campaign) == {f"{k}@example.com" for k in expected}
    assert {u.email for u in services.matching_customers(criteria)} == {
        f"{k}@example.com" for k in expected
    }


def test_at_least_one_criterion_is_required(shoppers):
    with pytest.raises(VoucherError, match="at least one criterion"):
        services.assign_codes(campaign_with_codes(), C())


def test_customers_already_holding_a_code_get_no_second(shoppers):
    campaign = campaign_with_codes()
    assert services.assign_codes(campaign, C(min_orders=1)) == 3
    assert services.assign_codes(campaign, C(min_orders=1)) == 0
    assert campaign.codes.filter(assigned_to__isnull=False).count() == 3


def test_not_enough_free_codes_assigns_nothing(shoppers):
    campaign = campaign_with_codes(2)
    with pytest.raises(VoucherError, match="3 customers match. The campaign has only 2 free codes"):
        services.assign_codes(campaign, C(min_orders=1))
    assert not Code.objects.filter(assigned_to__isnull=False).exists()


def test_notify_writes_one_email_per_customer(shoppers):
    campaign = campaign_with_codes()
    services.assign_codes(campaign, C(min_orders=2), notify=True)
    mail = OutboxEmail.objects.get(template="voucher_assigned")
    code = campaign.codes.get(assigned_to=shoppers["big"])
    assert mail.to == ["big@example.com"] and code.text in mail.body_text


def test_assign_form_requires_a_criterion(admin_client, shoppers):
    campaign = campaign_with_codes()
    response = admin_client.post(
        reverse("admin:vouchers_campaign_assign"), {"campaign": campaign.pk, "assign": "1"}
    )
    assert response.status_code == 200
    assert "at least one criterion" in response.content.decode()
    assert not CodeJob.objects.exists()


def test_assign_form_reports_missing_codes(admin_client, shoppers):
    campaign = campaign_with_codes(1)
    response = admin_client.post(
        reverse("admin:vouchers_campaign_assign"),
        {"campaign": campaign.pk, "min_orders": "1", "assign": "1"},
    )
    assert "only 1 free code:" in response.content.decode()
    assert not CodeJob.objects.exists()


def test_assign_form_runs_a_job(admin_client, shoppers, django_capture_on_commit_callbacks):
    campaign = campaign_with_codes()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:vouchers_campaign_assign"),
            {"campaign": campaign.pk, "min_order_value": "60", "notify": "on", "assign": "1"},
        )
    job = CodeJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.status == "done" and job.result == 2
    assert holders(campaign) == {"big@example.com", "old@example.com"}
    assert OutboxEmail.objects.filter(template="voucher_assigned").count() == 2


def test_save_csv_exports_matching_emails_safely(admin_client, shoppers):
    shoppers["big"].email = "=big@example.com"
    shoppers["big"].save()
    campaign = campaign_with_codes()
    response = admin_client.post(
        reverse("admin:vouchers_campaign_assign"),
        {"campaign": campaign.pk, "min_orders": "1", "save_csv": "1"},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    emails = {r[0] for r in rows[1:]}
    assert emails == {"'=big@example.com", "small@example.com", "old@example.com"}
    assert not Code.objects.filter(assigned_to__isnull=False).exists()


def test_marketing_role_can_open_the_assign_page(client):
    client.force_login(RoleUserFactory(role="Marketing"))
    assert client.get(reverse("admin:vouchers_campaign_assign")).status_code == 200
    assert client.get(reverse("admin:vouchers_campaign_generate")).status_code == 200
