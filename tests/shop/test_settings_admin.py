"""The shop settings: one row, never added or deleted by hand."""

import pytest
from django.urls import reverse

from shop.models import ShopSettings

pytestmark = pytest.mark.django_db


def test_the_settings_list_shows_the_one_row_even_before_it_exists(admin_client):
    ShopSettings.objects.all().delete()
    page = admin_client.get(reverse("admin:shop_shopsettings_changelist"))
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [ShopSettings.objects.get()]
    assert admin_client.get(reverse("admin:shop_shopsettings_add")).status_code == 403
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:shop_shopsettings_add") not in index


def settings_page_post(client, **overrides):
    """The settings page as the browser sends it back, with ``overrides`` typed in."""
    from tests.html_forms import FormParser, post_data

    url = reverse("admin:shop_shopsettings_change", args=[ShopSettings.load().pk])
    parser = FormParser(url)
    parser.feed(client.get(url).content.decode())
    form = max(parser.forms, key=lambda form: len(form.fields))
    data = {**post_data(form.fields), **overrides, "_save": "1"}
    return client.post(url, data)


@pytest.mark.parametrize(
    "field, typed",
    [
        ("loyalty_points_per_euro", "-1"),
        ("default_open_amount_limit", "-5"),
        ("download_expiry_days", "0"),
        ("download_max_count", "0"),
        ("withdrawal_period_days", "13"),
        ("delivery_transit_days", "61"),
    ],
)
def test_numbers_out_of_range_are_refused_by_the_settings_form(admin_client, field, typed):
    before = getattr(ShopSettings.load(), field)
    response = settings_page_post(admin_client, **{field: typed})
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert getattr(ShopSettings.objects.get(), field) == before


def test_the_settings_form_saves_a_rate_of_zero(admin_client):
    response = settings_page_post(admin_client, loyalty_points_per_euro="0")
    assert response.status_code == 302
    assert ShopSettings.objects.get().loyalty_points_per_euro == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("loyalty_points_per_euro", -1),
        ("default_open_amount_limit", -5),
        ("download_expiry_days", 0),
        ("download_max_count", 0),
        ("withdrawal_period_days", 13),
        ("withdrawal_period_days", 366),
        ("delivery_transit_days", 61),
    ],
)
def test_the_database_refuses_settings_out_of_range(field, value):
    from django.db import IntegrityError, transaction

    ShopSettings.load()
    with pytest.raises(IntegrityError), transaction.atomic():
        ShopSettings.objects.update(**{field: value})
