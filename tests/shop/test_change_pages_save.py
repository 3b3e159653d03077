"""Every change page of the demo shop saves what it shows, as an operator's browser sends
it: the form's fields read from the page (inputs, checked boxes, selected options, text
areas — no new files), posted back with "Save". A product with pictures could not be saved
at all (each stored picture was refused as "not a picture we can read") and nothing
noticed: the tests posted hand-made forms without pictures."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from shop.admin import backoffice
from tests.html_forms import FormParser, post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, settings, demo_copy):
    demo_copy.load(settings)
    return get_user_model().objects.get(email="admin@example.com")


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_change_page_saves_what_it_shows(client, demo, language):
    demo.language = language
    demo.save(update_fields=["language"])
    client.force_login(demo)
    saved = []
    for model, model_admin in backoffice._registry.items():
        opts = model._meta
        if not opts.managed:
            continue  # a page of its own over a model without a table (privacy's subjects)
        obj = model_admin.get_queryset(_request(demo)).order_by("pk").first()
        if obj is None:
            continue
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        except NoReverseMatch:
            continue
        page = client.get(url)
        html = page.content.decode() if page.status_code == 200 else ""
        if 'name="_save"' not in html:
            continue  # a read-only page (documents, ledgers, the access log …)
        parser = FormParser(url)
        parser.feed(html)
        form = max(parser.forms, key=lambda form: len(form.fields))  # the change form
        response = client.post(url, {**post_data(form.fields), "_save": "1"})
        errors = response.content.decode() if response.status_code == 200 else ""
        assert response.status_code == 302, (url, _errors(errors))
        saved.append(opts.label)
    assert {"shop.Product", "vouchers.Campaign", "customers.User", "shop.ShopSettings"} <= set(
        saved
    ), sorted(saved)


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/backoffice/")
    request.user = user
    return request


def _errors(html):
    import re

    with translation.override("en"):
        return re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)[:5]
