"""Every date the backoffice asks for is typed in the operator's language (shop.fields).

A ``type="date"`` input is written in the browser's locale whatever the page's ``lang``: an
English Chromium shows mm/dd/yyyy to a German, Polish or Danish operator (seen on the sales
report). The forms use ``LocalDateField``, the pages' own inputs (list filters, the delivery
date) ``{% date_input %}`` and ``parse_typed_date``: the operator's format or ISO."""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import Shipment
from shop.fields import parse_typed_date, typed_date_value
from tests.factories import ProductFactory

from ..orders.factories import ship_all

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ["shop", "customers", "orders", "vouchers", "giftcards", "helpdesk", "reviews", "privacy"]


def test_no_page_draws_a_date_input_of_the_browsers_locale():
    # <input type="date"> in a template, {"type": "date"} as a widget's attributes; "month"
    # too ("November 2026" on a Danish page in an English browser).
    browser_date = re.compile(
        r"""<input[^>]*type=["']?(date|month)\b|["']type["']:\s*["'](date|month)["']"""
    )
    found = [
        str(path.relative_to(ROOT))
        for folder in [ROOT / "templates", *(ROOT / app for app in APPS)]
        for path in folder.rglob("*")
        if path.suffix in (".html", ".py")
        and "migrations" not in path.parts
        and browser_date.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def _german(staff):
    staff.language = "de"
    staff.save(update_fields=["language"])


def test_the_order_list_filter_reads_the_operators_date(admin_client, staff, make_order):
    _german(staff)
    order = make_order()
    today = timezone.localdate()
    url = reverse("admin:orders_order_changelist")
    dotted = today.strftime("%d.%m.%Y")
    response = admin_client.get(url, {"created_from": dotted, "created_to": dotted})
    assert [o.pk for o in response.context["cl"].result_list] == [order.pk]
    page = response.content.decode()
    assert f'name="created_from" value="{dotted}"' in page
    assert 'aria-describedby="created_from_helptext"' in page
    # A link with ISO dates (a colleague's, a bookmark) works and shows the German date.
    response = admin_client.get(url, {"created_from": today.isoformat()})
    assert [o.pk for o in response.context["cl"].result_list] == [order.pk]
    assert f'name="created_from" value="{dotted}"' in response.content.decode()
    tomorrow = (today + timedelta(days=1)).strftime("%d.%m.%Y")
    response = admin_client.get(url, {"created_from": tomorrow})
    assert list(response.context["cl"].result_list) == []


def test_the_review_filter_reads_the_operators_date(admin_client, staff):
    from tests.reviews.factories import ReviewFactory

    _german(staff)
    review = ReviewFactory()
    url = reverse("admin:reviews_review_changelist")
    day = timezone.localtime(review.created).strftime("%d.%m.%Y")
    response = admin_client.get(url, {"created_from": day, "created_to": day})
    assert [r.pk for r in response.context["cl"].result_list] == [review.pk]


def test_the_delivery_date_is_typed_in_the_operators_language(admin_client, staff, make_order):
    _german(staff)
    order = make_order(items={ProductFactory(price=Decimal("5.00")).pk: 1})
    services.create_invoice(order)
    shipment = services.create_shipment(order, ship_all(order))
    url = reverse("admin:orders_shipment_delivered", args=[shipment.pk])
    today = timezone.localdate()
    admin_client.post(url, {"delivered_on": "31.02.2026"})
    assert Shipment.objects.get().delivered_at is None
    admin_client.post(url, {"delivered_on": today.strftime("%d.%m.%Y")})
    assert timezone.localdate(Shipment.objects.get().delivered_at) == today
    page = admin_client.get(reverse("admin:orders_shipment_change", args=[shipment.pk]))
    assert f'name="delivered_on" value="{today:%d.%m.%Y}"' in page.content.decode()


def test_a_typed_date_is_read_in_the_language_and_as_iso(settings):
    from django.utils import translation

    with translation.override("pl"):
        assert parse_typed_date("24.12.2026") == parse_typed_date("2026-12-24")
        assert parse_typed_date("") is None
        assert typed_date_value("2026-12-24") == "24.12.2026"
        assert typed_date_value("jutro") == "jutro"
        for wrong in ("12/24/2026", "31.12.9999", "jutro"):
            with pytest.raises(ValueError):
                parse_typed_date(wrong)
    with translation.override("en"):
        assert parse_typed_date("24.12.2026") == parse_typed_date("24 Dec 2026")
        with pytest.raises(ValueError):
            parse_typed_date("12/24/2026")
