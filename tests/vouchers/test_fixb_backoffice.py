"""Campaigns, codes and code jobs in the backoffice, as marketing staff (Danish, German)
use them: the generate form's pickers, the edit form's scope, the details page, what a
view-only role is offered, the job list's filters and the progress page's numbers."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import ProductFactory, RoleUserFactory, StaffFactory
from vouchers import services
from vouchers.admin.jobs import result_text
from vouchers.models import Campaign, CodeJob

from .test_admin import make_campaign

pytestmark = pytest.mark.django_db


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_generate_form_wraps_each_product_picker_in_its_own_element(admin_client):
    """SelectFilter2.js puts its boxes first into the select's parent: that parent must
    not be the row holding the label, or the label ends up after the picker."""
    html = html_of(admin_client, reverse("admin:vouchers_campaign_generate"))
    for name in ("products", "excluded_products"):
        assert re.search(
            rf'</label><div class="vouch-picker"><select name="{name}"[^>]*multiple', html
        ), name
    # A plain field stays directly beside its label.
    assert re.search(r'</label><input type="text" name="name"', html)


def test_generate_page_writes_the_job_threshold_as_the_language_does(admin_client):
    html = html_of(admin_client, reverse("admin:vouchers_campaign_generate"))
    assert f"From {services.ASYNC_THRESHOLD:,} codes on" in html


def test_campaign_edit_form_offers_no_gift_cards_and_titles_pickers_products(admin_client):
    campaign = make_campaign("Scope")
    goods = ProductFactory(name="Linen towel")
    card = ProductFactory(name="Gift card 50", is_giftcard=True)
    html = html_of(admin_client, reverse("admin:vouchers_campaign_change", args=[campaign.pk]))
    assert f'<option value="{goods.pk}">Linen towel</option>' in html
    assert "Gift card 50" not in html
    # The picker's title is "products" (SelectFilter's data-field-name), not the field's
    # verbose name ("only for products").
    assert html.count('data-field-name="products"') == 2
    assert 'data-field-name="only for products"' not in html
    assert "all goods except gift cards" in html
    # A gift card cannot be put into the scope either.
    response = admin_client.post(
        reverse("admin:vouchers_campaign_change", args=[campaign.pk]),
        {"name": "Scope", "products": [card.pk]},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not campaign.products.exists()


def test_campaign_edit_has_no_save_and_add_another(admin_client):
    campaign = make_campaign("Edit")
    html = html_of(admin_client, reverse("admin:vouchers_campaign_change", args=[campaign.pk]))
    assert 'name="_save"' in html and 'name="_continue"' in html
    assert 'name="_addanother"' not in html and 'name="_saveasnew"' not in html


def test_details_show_limits_scope_and_always(admin_client):
    included, excluded = ProductFactory(name="Oak board"), ProductFactory(name="Vase")
    campaign = make_campaign("Details", budget=Decimal("500.00"), max_uses=40)
    campaign.products.set([included])
    campaign.excluded_products.set([excluded])
    campaign.exclude_sale_items = True
    campaign.save()
    html = html_of(admin_client, reverse("admin:vouchers_campaign_details", args=[campaign.pk]))
    for label, value in [
        ("Total budget", "500.00"),
        ("Discount granted", "0.00"),
        ("Total uses", "40"),
        ("Uses so far", "0"),
        ("Only for products", "Oak board"),
        ("Not for products", "Vase"),
        ("Not for products on sale", "yes"),
        ("Valid", "always"),
    ]:
        row = re.search(rf'<th scope="row">{label}</th><td>([^<]*)</td>', html)
        assert row and value in row[1], (label, row and row[1])
    assert "… – …" not in html
    # Breadcrumbs: "Discount-code campaigns › Details", the name once.
    crumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', html, re.S)[1]
    assert crumbs.count("Details") == 1 and "Campaign “Details”" not in crumbs


def test_details_without_limits_say_no_limit_and_all_goods(admin_client):
    campaign = make_campaign("Plain")
    html = html_of(admin_client, reverse("admin:vouchers_campaign_details", args=[campaign.pk]))
    assert '<th scope="row">Total budget</th><td>no limit</td>' in html
    assert '<th scope="row">Scope</th><td>All goods except gift cards</td>' in html


def test_view_only_role_is_not_offered_edit_or_delete(admin_client):
    campaign = make_campaign("Viewonly")
    edit = reverse("admin:vouchers_campaign_change", args=[campaign.pk])
    delete = reverse("admin:vouchers_campaign_delete", args=[campaign.pk])
    details = reverse("admin:vouchers_campaign_details", args=[campaign.pk])
    changelist = reverse("admin:vouchers_campaign_changelist")
    client = Client()
    client.force_login(RoleUserFactory(role="Sales"))
    for url in (details, changelist):
        html = html_of(client, url)
        assert f'href="{edit}"' not in html and f'href="{delete}"' not in html, url
        assert reverse("admin:vouchers_campaign_download", args=[campaign.pk]) in html
    assert client.get(delete).status_code == 403  # where the link would have led
    # Marketing (all voucher permissions) and superusers keep them.
    for html in (html_of(admin_client, details), html_of(admin_client, changelist)):
        assert f'href="{edit}"' in html and f'href="{delete}"' in html


def test_code_job_filters_have_different_titles_in_german(client):
    client.force_login(StaffFactory(is_superuser=True, language="de"))
    html = html_of(client, reverse("admin:vouchers_codejob_changelist"))
    titles = re.findall(r"<summary>\s*Filter:\s+([^<]+?)\s*</summary>", html)
    assert len(titles) == 3 and len(set(titles)) == 3, titles


@pytest.mark.parametrize(
    "language, count, expected",
    [
        ("en", 12000, "12,000 codes generated."),
        ("en", 1, "1 code generated."),
        ("de", 12000, "12.000"),
        ("da", 12000, "12.000"),
    ],
)
def test_job_result_counts_are_localized_and_pluralized(language, count, expected):
    job = CodeJob(kind=CodeJob.Kind.GENERATE, status="done", result=count)
    with translation.override(language):
        assert expected in result_text(job)
    job.kind = CodeJob.Kind.ASSIGN
    job.result = 1
    with translation.override("en"):
        assert result_text(job) == "1 code assigned."


def test_progress_page_counts_and_plural(admin_client):
    job = CodeJob.objects.create(
        kind="generate",
        status="done",
        result=12000,
        params={"name": "Big", "count": 12000, "mask": "", "discount_type": "percent"},
    )
    html = html_of(admin_client, job.get_absolute_url())
    assert "“Big”, 12,000 codes" in html
    assert "12,000 codes generated." in html
    job.params = {**job.params, "count": 1}
    job.result = 1
    job.save()
    html = html_of(admin_client, job.get_absolute_url())
    assert "“Big”, 1 code<" in html and "1 code generated." in html
    status = admin_client.get(reverse("admin:vouchers_codejob_status", args=[job.pk])).json()
    assert status["result_text"] == "1 code generated."


def test_generate_form_refuses_a_mask_of_guessable_codes(admin_client):
    from .test_admin import generate_post

    response = admin_client.post(
        reverse("admin:vouchers_campaign_generate"), generate_post(mask="<NUM:1>")
    )
    assert response.status_code == 200
    assert "as short as 1 characters" in response.content.decode()
    assert not Campaign.objects.exists()
