"""Every backoffice list page runs a constant number of queries (SPEC S15, issue 11): the
count must not grow with the page size. Walks every registered change list over the demo
shop, once with one row per page and once with all rows on the page."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from shop.admin import backoffice

pytestmark = pytest.mark.django_db


def _changelists():
    for model, model_admin in backoffice._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        try:
            url = reverse("admin:{}_{}_changelist".format(*info))
        except NoReverseMatch:
            continue
        yield model, model_admin, url


def _queries(client, url):
    client.get(url)  # warm per-request caches (content types, settings)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, len(ctx.captured_queries)


def _thicken(staff):
    """Rows for the lists the demo shop leaves (nearly) empty."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from customers.models import User
    from giftcards.models import CreditAccount
    from privacy.models import AccessReport
    from shop import retention
    from tests.factories import StaffFactory
    from vouchers.models import Campaign, CodeJob

    campaign = Campaign.objects.first()
    for i in range(3):
        CodeJob.objects.create(kind="generate", campaign=campaign, created_by=staff)
        colleague = StaffFactory()
        TOTPDevice.objects.create(user=colleague, name=f"phone {i}")
        StaticDevice.objects.create(user=colleague, name=f"backup {i}")
    from shop.models import BackgroundJob

    for i in range(3):
        BackgroundJob.objects.create(
            kind="orders.export_csv", title=f"Export {i}", created_by=staff
        )
    for customer in User.objects.filter(is_staff=False, credit_account__isnull=True)[:3]:
        CreditAccount.objects.create(customer=customer, customer_number=customer.customer_number)
    for customer in User.objects.filter(is_staff=False)[:3]:
        AccessReport.objects.create(
            subject=f"customer:{customer.pk}", created_by=staff, format="pdf", language="en"
        )
    for _ in range(3):
        retention.run(trigger="test")
    from privacy.models import ErasureRecord
    from shop.models import Product, StockNotice
    from shop.stock_notices import normalised

    for i, product in enumerate(Product.objects.order_by("pk")[:3]):
        StockNotice.objects.create(
            product=product, email=normalised(f"waiting{i}@example.com"), token=f"thicken-{i}"
        )
    for number in ("900001", "900002", "900003"):
        ErasureRecord.objects.create(
            customer_number=number,
            staff=staff,
            staff_name=staff.email,
            counts={"orders_deleted": 1},
        )


def test_no_list_page_grows_with_its_page_size(admin_client, staff, monkeypatch):
    call_command("seed_demo", stdout=StringIO())
    _thicken(staff)
    grown, checked, thin = {}, [], []
    for _model, model_admin, url in _changelists():
        monkeypatch.setattr(model_admin, "list_per_page", 1)
        small, small_count = _queries(admin_client, url)
        if small.status_code != 200 or "cl" not in (small.context or {}):
            continue  # a redirect (singleton settings) or a custom screen without rows
        monkeypatch.setattr(model_admin, "list_per_page", 500)
        large, large_count = _queries(admin_client, url)
        rows = len(large.context["cl"].result_list)
        if rows < 2:
            thin.append(url)
            continue
        checked.append(url)
        if large_count > small_count:
            grown[url] = (small_count, large_count, rows)
    assert not grown, f"queries grow with the rows shown (1 row → N rows): {grown}"
    # Every list with rows was measured; only the one-row shop settings is too thin.
    # (The helpdesk thread list is a custom screen with its own pins in tests/helpdesk.)
    assert thin == [reverse("admin:shop_shopsettings_changelist")], thin
    assert len(checked) >= 25, checked
