"""List polish (issue 26, item 5): date drill-down on orders, invoices, threads and reviews,
"Shop manager" as the one name of the role."""

import pytest
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import Thread
from orders import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "admin:orders_order_changelist",
        "admin:orders_invoice_changelist",
        "admin:reviews_review_changelist",
        "admin:helpdesk_thread_changelist",
    ],
)
def test_lists_have_a_date_drill_down(admin_client, make_order, product, url):
    from tests.helpdesk.factories import ThreadFactory
    from tests.reviews.factories import ReviewFactory

    order = make_order()
    services.create_invoice(order)
    ThreadFactory()
    ReviewFactory(product=product)
    page = admin_client.get(reverse(url)).content.decode()
    assert 'class="toplinks"' in page or "xfull" in page, url


def test_order_drill_down_filters_by_day_and_offers_the_days_between(admin_client, make_order):
    from orders.models import Order

    today, old = make_order(), make_order()
    Order.objects.filter(pk=old.pk).update(created=old.created - timezone.timedelta(days=400))
    url = reverse("admin:orders_order_changelist")
    page = admin_client.get(url).content.decode()
    now = timezone.localtime()
    assert f"created__year={now.year}" in page and f"created__year={now.year - 1}" in page
    local = timezone.localdate()
    response = admin_client.get(
        url,
        {"created__year": local.year, "created__month": local.month, "created__day": local.day},
    )
    assert [o.pk for o in response.context["cl"].result_list] == [today.pk]


def test_thread_drill_down_filters_the_threads(admin_client):
    from tests.helpdesk.factories import ThreadFactory

    recent = ThreadFactory(subject="Recent parcel question")
    old = ThreadFactory(subject="Ancient invoice question")
    Thread.objects.filter(pk=old.pk).update(created=old.created - timezone.timedelta(days=400))
    url = reverse("admin:helpdesk_thread_changelist")
    year = timezone.localdate().year
    page = admin_client.get(url, {"created__year": year}).content.decode()
    assert recent.subject in page and old.subject not in page


def test_one_name_for_the_shop_manager():
    assert Thread.Status.FORWARDED_MANAGER.label == "Forwarded to Shop manager"
    assert Thread.DEPARTMENTS[Thread.Status.FORWARDED_MANAGER] == "Shop manager"


def test_the_drill_down_writes_months_as_the_readers_language_does(client, make_order):
    """Polish and Danish month names are lower case in a date ("listopad 2026", "november
    2026"); Django's "F Y" and capfirst() wrote "Listopad 2026" and "November 2026"."""
    from datetime import date

    from shop.locales import date_in_words
    from tests.factories import StaffFactory

    assert date_in_words(date(2026, 11, 3), "yMMMM", "pl") == "listopad 2026"
    assert date_in_words(date(2026, 11, 3), "yMMMM", "da") == "november 2026"
    assert date_in_words(date(2026, 11, 3), "MMMd", "pl") == "3 lis"
    make_order()
    local = timezone.localdate()
    client.force_login(StaffFactory(is_superuser=True, language="pl"))
    page = client.get(
        reverse("admin:orders_order_changelist"), {"created__year": local.year}
    ).content.decode()
    assert date_in_words(local, "yMMMM", "pl") in page
