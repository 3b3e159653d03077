"""Backoffice screens for campaigns, codes, jobs (S7)."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import signals
from orders.models import Order
from shop.models import ShopSettings
from vouchers import jobs, services
from vouchers.models import Campaign, Code, CodeJob

from .factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


def today():
    """The shop's date when the test runs (a run may cross midnight in Europe/Berlin)."""
    return timezone.localdate()


CHANGELIST = reverse("admin:vouchers_campaign_changelist")


def make_campaign(name, count=3, mask=None, **kwargs):
    return services.generate_campaign(
        name=name,
        count=count,
        mask=mask or f"{name[:3].upper()}00<NUM:1>",
        discount_type=kwargs.pop("discount_type", "percent"),
        discount_value=kwargs.pop("discount_value", 10),
        **kwargs,
    )


def test_campaign_list_columns_and_counts(admin_client, make_order):
    campaign = make_campaign("Spring", count=4)
    make_order(voucher_code="SPR001")
    make_order(voucher_code="SPR002")
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    row = next(r for r in response.context["cl"].result_list if r.pk == campaign.pk)
    assert (row.code_count, row.used_count) == (4, 2)
    html = response.content.decode()
    for label in ("Details", "Download", "Edit", "List", "Statistics", "Delete"):
        assert f">{label}</a>" in html


def test_campaign_list_query_count_is_constant(admin_client, django_assert_max_num_queries):
    for i in range(3):
        make_campaign(f"C{i}x", count=5, mask=f"C{i}X0<NUM:1>")
    with django_assert_max_num_queries(12) as small:
        admin_client.get(CHANGELIST)
    for i in range(3, 15):
        make_campaign(f"C{i}x", count=5, mask=f"C{i}X0<NUM:1>")
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client.get(CHANGELIST)


def test_time_filter_and_name_search(admin_client):
    current = CampaignFactory(name="Now", valid_to=today())
    old = CampaignFactory(name="Old", valid_to=today() - timedelta(days=1))
    future = CampaignFactory(name="Later", valid_from=today() + timedelta(days=3))
    forever = CampaignFactory(name="Forever")

    def names(query):
        response = admin_client.get(CHANGELIST + query)
        return {c.name for c in response.context["cl"].result_list}

    assert names("?time=current") == {current.name, forever.name}
    assert names("?time=historical") == {old.name}
    assert names("?time=upcoming") == {future.name}
    assert names("") == {"Now", "Old", "Later", "Forever"}
    assert names("?q=ol") == {"Old"}


def test_code_list_shows_customer_order_and_use(admin_client, make_order, customer):
    campaign = make_campaign("Listed", count=3)
    Code.objects.filter(text="LIS002").update(assigned_to=customer)
    order = make_order(voucher_code="LIS001")
    url = reverse("admin:vouchers_code_changelist") + f"?campaign__id__exact={campaign.pk}"
    response = admin_client.get(url)
    rows = {c.text: c for c in response.context["cl"].result_list}
    assert set(rows) == {"LIS001", "LIS002", "LIS003"}
    assert rows["LIS001"].last_order_number == order.number
    assert rows["LIS001"].last_used_at is not None
    html = response.content.decode()
    assert customer.email in html and order.number in html


def test_code_list_query_count_is_constant(admin_client, make_order, django_assert_max_num_queries):
    ShopSettings.load()  # the settings row exists (a new shop's first page writes it)
    campaign = make_campaign("Pinned", count=5)
    make_order(voucher_code="PIN001")
    url = reverse("admin:vouchers_code_changelist") + f"?campaign__id__exact={campaign.pk}"
    with django_assert_max_num_queries(12) as few:
        admin_client.get(url)
    services.generate_campaign(
        name="Pinned more", count=80, mask="PM00<NUM:1>", discount_type="percent", discount_value=5
    )
    Code.objects.update(campaign=campaign)
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(url)


def test_deactivate_and_activate_selected_and_all_matching(admin_client):
    campaign = make_campaign("Toggle", count=150, mask="T<NUM:1000>")
    other = make_campaign("Other", count=2)
    url = reverse("admin:vouchers_code_changelist") + f"?campaign__id__exact={campaign.pk}"
    ids = list(campaign.codes.values_list("pk", flat=True)[:2])
    admin_client.post(url, {"action": "deactivate", "_selected_action": ids})
    assert set(Code.objects.filter(is_active=False).values_list("pk", flat=True)) == set(ids)
    # "Select all 150" across pages: select_across=1 applies to every matching code
    admin_client.post(
        url, {"action": "deactivate", "_selected_action": ids[:1], "select_across": "1"}
    )
    assert campaign.codes.filter(is_active=True).count() == 0
    assert other.codes.filter(is_active=True).count() == 2
    admin_client.post(url, {"action": "activate", "_selected_action": ids, "select_across": "1"})
    assert campaign.codes.filter(is_active=False).count() == 0


def test_download_csv_is_safe_against_formula_injection(admin_client, make_order, customer):
    campaign = CampaignFactory(name="Danger")
    CodeFactory(campaign=campaign, text="=HYPERLINK(1)")
    customer.email = "=cmd@example.com"
    customer.save()
    CodeFactory(campaign=campaign, text="SAFE", assigned_to=customer)
    response = admin_client.get(reverse("admin:vouchers_campaign_download", args=[campaign.pk]))
    assert response["Content-Type"].startswith("text/csv")
    # For the reader's Excel: a byte order mark, the English list separator (",").
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["code", "active", "assigned customer", "order number", "used"]
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert rows[2][:3] == ["SAFE", "yes", "'=cmd@example.com"]


def test_statistics_against_hand_computed_values(admin_client, make_order, product):
    campaign = make_campaign("Stats", count=3, discount_value=Decimal("10"), kind="multi")
    a = make_order({product.pk: 1}, voucher_code="STA001")  # 20 - 2 + 4.90 = 22.90
    b = make_order({product.pk: 3}, voucher_code="STA001")  # 60 - 6 + 0 = 54.00
    c = make_order({product.pk: 2}, voucher_code="STA002")  # 40 - 4 + 4.90 = 40.90
    canceled = make_order({product.pk: 1}, voucher_code="STA003")
    signals.order_canceled.send(sender=Order, order=canceled)
    assert (a.grand_total, b.grand_total, c.grand_total) == (
        Decimal("22.90"),
        Decimal("54.00"),
        Decimal("40.90"),
    )
    summary, per_code = services.campaign_statistics(campaign)
    assert summary == {
        "orders": 3,
        "codes": 2,
        "value": Decimal("117.80"),
        "discount": Decimal("12.00"),
    }
    rows = {r["code__text"]: r for r in per_code}
    assert rows["STA001"]["orders"] == 2 and rows["STA001"]["value"] == Decimal("76.90")
    assert rows["STA001"]["discount"] == Decimal("8.00")
    assert rows["STA002"]["discount"] == Decimal("4.00") and "STA003" not in rows
    response = admin_client.get(reverse("admin:vouchers_campaign_statistics", args=[campaign.pk]))
    assert response.status_code == 200 and "117.80" in response.content.decode()


def test_details_and_edit_name(admin_client):
    campaign = make_campaign("Detail", count=2, min_order_value=Decimal("30"))
    response = admin_client.get(reverse("admin:vouchers_campaign_details", args=[campaign.pk]))
    html = response.content.decode()
    assert "Single-use" in html and "30.00" in html and "10% off the goods" in html
    change = reverse("admin:vouchers_campaign_change", args=[campaign.pk])
    response = admin_client.post(change, {"name": "Renamed"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Renamed" and campaign.kind == "single"
    CampaignFactory(name="Taken")
    response = admin_client.post(change, {"name": "TAKEN"})
    assert response.status_code == 200
    campaign.refresh_from_db()
    assert campaign.name == "Renamed"


def test_delete_refused_when_used_and_allowed_otherwise(admin_client, make_order):
    used = make_campaign("Used", count=2)
    make_order(voucher_code="USE001")
    url = reverse("admin:vouchers_campaign_delete", args=[used.pk])
    assert "cannot be deleted" in admin_client.get(url).content.decode()
    admin_client.post(url)
    assert Campaign.objects.filter(pk=used.pk).exists()
    unused = make_campaign("Unused", count=2)
    response = admin_client.post(reverse("admin:vouchers_campaign_delete", args=[unused.pk]))
    assert response.status_code == 302
    assert not Campaign.objects.filter(pk=unused.pk).exists()
    assert not Code.objects.filter(text__startswith="UNU").exists()


def generate_post(**overrides):
    data = {
        "name": "Generated",
        "kind": "single",
        "count": "100",
        "discount_type": "percent",
        "discount_value": "15",
        "mask": "A<NUM:1000>",
    }
    data.update(overrides)
    return data


def test_generate_form_small_count_runs_at_once(admin_client):
    response = admin_client.post(reverse("admin:vouchers_campaign_generate"), generate_post())
    campaign = Campaign.objects.get(name="Generated")
    assert response.status_code == 302
    assert campaign.codes.count() == 100 and campaign.discount_value == Decimal("15.00")


def test_generate_form_shows_both_fieldsets_and_errors(admin_client):
    url = reverse("admin:vouchers_campaign_generate")
    html = admin_client.get(url).content.decode()
    assert "Basic data" in html and "Generator" in html and "mask-preview" in html
    response = admin_client.post(url, generate_post(mask="A<RAND:9:1>"))
    assert response.status_code == 200
    assert "minimum is larger" in response.content.decode()
    assert not Campaign.objects.exists()


def test_mask_preview_endpoint(admin_client):
    url = reverse("admin:vouchers_campaign_generate_preview")
    data = admin_client.get(url, {"mask": "A<NUM:1000>", "count": "100"}).json()
    assert data["codes"][:3] == ["A1000", "A1001", "A1002"] and len(data["codes"]) == 10
    assert "not a valid placeholder" in admin_client.get(url, {"mask": "<X>"}).json()["error"]


def test_large_generation_runs_as_job_with_progress(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:vouchers_campaign_generate"),
            generate_post(count="12000", mask="J<NUM:100000>"),
        )
    job = CodeJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == "done" and job.result == 12000 and job.progress == 100
    assert job.campaign.codes.count() == 12000
    page = admin_client.get(job.get_absolute_url())
    assert page.status_code == 200 and "<progress" in page.content.decode()
    state = admin_client.get(reverse("admin:vouchers_codejob_status", args=[job.pk])).json()
    assert state["status"] == "done" and state["progress"] == 100


def test_failed_job_records_its_error():
    job = CodeJob.objects.create(
        kind="generate",
        params={
            "name": "Dup",
            "count": 3,
            "mask": "DUP<NUM:01>",
            "discount_type": "percent",
            "discount_value": "5",
            "kind": "single",
        },
    )
    CodeFactory(text="DUP02")
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "DUP02" in job.error
    assert not Campaign.objects.filter(name="Dup").exists()


def test_running_jobs_on_the_start_page(admin_client):
    CodeJob.objects.create(kind="generate", status="running")
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Running code jobs" in html


def test_editing_a_campaign_keeps_the_use_an_order_counted_while_it_saved(admin_client, make_order):
    """The change page saves the fields the operator changed, not the whole row as read: an
    order placed with one of the codes between reading and writing keeps its use and its
    discount on the campaign's counters (they went back to 0 — budget and limit leaked)."""
    from django.db.models.signals import pre_save

    campaign = make_campaign("Busy", count=3)
    placed = []

    def order_meanwhile(sender, instance, **kwargs):
        if instance.pk == campaign.pk and not placed:
            placed.append(make_order(voucher_code="BUS001"))

    pre_save.connect(order_meanwhile, sender=Campaign)
    try:
        change = reverse("admin:vouchers_campaign_change", args=[campaign.pk])
        response = admin_client.post(change, {"name": "Busy week"})
    finally:
        pre_save.disconnect(order_meanwhile, sender=Campaign)
    assert response.status_code == 302 and placed
    campaign.refresh_from_db()
    assert campaign.name == "Busy week"
    assert campaign.uses_count == 1 and campaign.discount_spent == placed[0].discount_total
