"""The backoffice writes change-list rows with shop.admin_rows instead of Django's
items_for_result: the HTML must be Django's, byte for byte, for every change list."""

import pytest
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.utils import translation

from shop import admin_rows
from shop.admin import backoffice

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, settings, demo_copy):
    demo_copy.load(settings)
    return get_user_model().objects.get(email="admin@example.com")


def change_lists(user, query=""):
    """``(model admin, change list)`` of every registered model the user may list."""
    factory = RequestFactory()
    for model, model_admin in backoffice._registry.items():
        opts = model._meta
        if not opts.managed:
            continue  # a page of its own over a model without a table (privacy's subjects)
        request = factory.get(f"/backoffice/{opts.app_label}/{opts.model_name}/{query}")
        request.user = user
        if model_admin.list_editable or not model_admin.has_view_or_change_permission(request):
            continue  # a list with editable columns keeps Django's rows
        try:
            cl = model_admin.get_changelist_instance(request)
        except IncorrectLookupParameters:
            continue  # a filter this list does not have (the page redirects with ?e=1)
        cl.formset = None  # as changelist_view() leaves it
        yield model_admin, cl


@pytest.mark.parametrize("language", ["en", "de", "pl", "da"])
def test_every_change_list_gets_djangos_rows(demo, language):
    compared = 0
    with translation.override(language):
        for model_admin, cl in change_lists(demo):
            rows = admin_rows.FastRows(cl)
            ours = [str(rows.row(result)) for result in cl.result_list]
            assert ours == admin_rows.django_rows(cl), model_admin
            compared += len(ours)
    assert compared > 500  # the demo shop's orders, customers, products, codes, …


def test_rows_keep_the_lists_filters_and_popup_in_their_links(demo):
    compared = {}
    for query in ["?status__exact=complete&o=-2", "?q=schmidt&_popup=1&_to_field=id", "?p=2"]:
        for model_admin, cl in change_lists(demo, query):
            rows = admin_rows.FastRows(cl)
            ours = [str(rows.row(result)) for result in cl.result_list]
            assert ours == admin_rows.django_rows(cl), (model_admin, query)
            compared[query] = compared.get(query, 0) + len(ours)
    assert min(compared.values()) > 10, compared


def test_the_orders_page_shows_the_rows_once(demo, client):
    client.force_login(demo)
    page = client.get("/backoffice/orders/order/?status__exact=complete").content.decode()
    assert page.count('<input type="checkbox" name="_selected_action"') == 50
    assert "/change/?_changelist_filters=status__exact%3Dcomplete" in page


def test_a_list_with_editable_columns_keeps_djangos_rows_and_fields(demo, client):
    client.force_login(demo)
    page = client.get("/backoffice/shop/paymentmethod/").content.decode()
    assert 'name="form-0-is_active"' in page and 'name="form-0-position"' in page
    assert 'name="form-0-id"' in page  # the hidden key of each row's form
