"""The backoffice builds its list of apps and models (the sidebar, the start page) with the
URLs reversed once per process (BackofficeSite._build_app_dict): it must be Django's, for
every kind of staff member, app, language and script prefix."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import get_script_prefix, set_script_prefix
from django.utils import translation

from shop.admin import backoffice
from shop.roles import ROLES
from tests.factories import RoleUserFactory, StaffFactory

pytestmark = pytest.mark.django_db


def request_of(user):
    request = RequestFactory().get("/backoffice/")
    request.user = user
    return request


def staff_members():
    yield StaffFactory(is_superuser=True)
    for role in ROLES:
        yield RoleUserFactory(role=role)
    nobody = StaffFactory()  # staff without a single right
    yield nobody
    one = StaffFactory()
    one.user_permissions.add(Permission.objects.get(codename="view_order"))
    yield one


def djangos(request, label=None):
    return admin.AdminSite._build_app_dict(backoffice, request, label)


@pytest.mark.parametrize("language", ["en", "de", "pl"])
def test_the_app_list_is_djangos_for_every_staff_member(language):
    with translation.override(language):
        for user in staff_members():
            request = request_of(user)
            assert backoffice._build_app_dict(request) == djangos(request), user
            for label in ["orders", "customers", "helpdesk", "nothing"]:
                assert backoffice._build_app_dict(request, label) == djangos(request, label)
            names = [app["name"] for app in backoffice.get_app_list(request)]
            assert names == [
                app["name"] for app in admin.AdminSite.get_app_list(backoffice, request)
            ]


def test_the_urls_follow_the_script_prefix():
    request = request_of(StaffFactory(is_superuser=True))
    before = get_script_prefix()
    backoffice._build_app_dict(request)  # the URLs under "/" are kept
    try:
        set_script_prefix("/shop/")
        ours = backoffice._build_app_dict(request)
        assert ours == djangos(request)
        assert ours["orders"]["app_url"] == "/shop/backoffice/orders/"
    finally:
        set_script_prefix(before)
    assert backoffice._build_app_dict(request)["orders"]["app_url"] == "/backoffice/orders/"
