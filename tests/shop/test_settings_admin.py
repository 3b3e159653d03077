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
