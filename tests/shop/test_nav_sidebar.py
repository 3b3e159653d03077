"""The backoffice's navigation sidebar is rendered once per process for each different
sidebar (shop.templatetags.backoffice.nav_sidebar): it must be Django's, the staff member's
own, in their language, with the page's model marked, and follow a change of rights at once."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from shop.admin import backoffice
from tests.factories import RoleUserFactory, StaffFactory

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="sticky" id="nav-sidebar".*?</nav>', re.S)


def sidebar(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return NAV.search(response.content.decode()).group(0)


def djangos_sidebar(user, path, language):
    request = RequestFactory().get(path)
    request.user = user
    with translation.override(language):
        html = render_to_string(
            "admin/nav_sidebar.html", {**backoffice.each_context(request), "request": request}
        )
    return NAV.search(html).group(0)


@pytest.mark.parametrize("role", [None, "Support", "Order clerk"])
def test_the_sidebar_is_djangos_for_each_staff_member(client, role):
    user = StaffFactory(is_superuser=True) if role is None else RoleUserFactory(role=role)
    client.force_login(user)
    for path in [
        "/backoffice/customers/user/",
        "/backoffice/orders/order/",
        "/backoffice/helpdesk/thread/",
    ]:
        for _ in range(2):  # rendered, then kept
            if client.get(path).status_code != 200:
                break
            assert sidebar(client, path) == djangos_sidebar(user, path, "en"), path


def test_the_page_s_model_is_marked(client):
    client.force_login(StaffFactory(is_superuser=True))
    orders = sidebar(client, "/backoffice/orders/order/")
    customers = sidebar(client, "/backoffice/customers/user/")
    assert 'class="model-order current-model"' in orders
    assert 'class="model-order current-model"' not in customers
    assert 'class="model-user current-model"' in customers


def test_a_change_of_rights_shows_at_once(client):
    user = StaffFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(user)
    assert "/backoffice/orders/order/" not in sidebar(client, "/backoffice/customers/user/")
    user.user_permissions.add(Permission.objects.get(codename="view_order"))
    assert "/backoffice/orders/order/" in sidebar(client, "/backoffice/customers/user/")


def test_each_language_gets_its_own(client, settings):
    user = StaffFactory(is_superuser=True, language="de")
    client.force_login(user)
    german = sidebar(client, "/backoffice/orders/order/")
    user.language = "pl"
    user.save()
    polish = sidebar(client, "/backoffice/orders/order/")
    assert "Bestellungen" in german and "Bestellungen" not in polish
    assert polish == djangos_sidebar(user, "/backoffice/orders/order/", "pl")
