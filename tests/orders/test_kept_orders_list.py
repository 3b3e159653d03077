"""The orders list is kept rendered per process while nothing it shows has changed
(shop/keptlists.py, the orders' list version of orders/0033): a repeated view costs two
queries and no template, every change shows on the next view, and every view is logged."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import MessageEncoder
from django.contrib.messages.storage.session import SessionStorage
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.admin_list import list_version
from orders.models import Order
from privacy.models import AccessLogEntry
from privacy.registry import subjects_for_rows
from shop.models import PaymentMethod, ShopSettings
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:orders_order_changelist"


@pytest.fixture(autouse=True)
def _settings_row(db):
    ShopSettings.load()  # created on first use, which moves the storefront version


def view(client, query=""):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGELIST) + query)
    assert response.status_code == 200
    return response, len(queries.captured_queries)


def kept(response):
    """A kept page answers without rendering a template (no context for the test client)."""
    return response.context is None


def test_a_second_view_is_the_kept_page_with_two_queries(admin_client, make_order):
    for _ in range(3):
        make_order()
    first, rendered = view(admin_client)
    with CaptureQueriesContext(connection) as captured:
        second, queries = view(admin_client)
    assert not kept(first) and kept(second)
    # the session (with the storefront, staff and orders' list versions), the access log
    assert queries == 2 < rendered
    assert "orders_listversion" in captured.captured_queries[0]["sql"]
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub(b"", first.content) == strip.sub(b"", second.content)


def test_only_backoffice_requests_read_the_list_versions_with_their_session(client, product):
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("shop:product", args=[product.slug]))
    assert "orders_listversion" not in " ".join(q["sql"] for q in captured.captured_queries)


def test_every_view_of_the_kept_page_is_logged_with_its_rows(admin_client, make_order, staff):
    orders = [make_order() for _ in range(2)]
    view(admin_client)
    view(admin_client, "?q=erika")
    second, _ = view(admin_client)
    again, _ = view(admin_client, "?q=erika")
    assert kept(second) and kept(again)
    entries = list(AccessLogEntry.objects.filter(user=staff).order_by("id"))[-4:]
    assert [e.action for e in entries] == ["list", "search", "list", "search"]
    expected = set(subjects_for_rows(orders))
    assert all(set(entry.subjects) == expected for entry in entries)
    assert entries[0].subjects == entries[2].subjects and entries[1].subjects == entries[3].subjects


def test_the_subjects_of_a_kept_page_are_worked_out_once(admin_client, make_order, monkeypatch):
    from privacy import middleware

    orders = [make_order() for _ in range(2)]
    counted = []
    real = middleware.subjects_for_rows
    monkeypatch.setattr(
        middleware, "subjects_for_rows", lambda rows: counted.append(1) or real(rows)
    )
    for _ in range(4):
        view(admin_client)
    assert len(counted) == 2  # the rendered page's list, then the kept page's, once
    entries = AccessLogEntry.objects.order_by("-id")[:4]
    assert all(set(e.subjects) == set(subjects_for_rows(orders)) for e in entries)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda order: Order.objects.filter(pk=order.pk).update(status="processing"),
            id="queryset update",
        ),
        pytest.param(
            lambda order: connection.cursor().execute(
                "UPDATE orders_order SET status = 'processing' WHERE id = %s", [order.pk]
            ),
            id="raw SQL",
        ),
    ],
)
def test_a_changed_order_shows_on_the_next_view(admin_client, make_order, change):
    order = make_order()
    view(admin_client)
    assert kept(view(admin_client)[0])
    change(order)
    response, _ = view(admin_client)
    assert not kept(response)
    assert 'class="order-status processing"' in response.content.decode()


def test_a_new_order_shows_on_the_next_view(admin_client, make_order):
    make_order()
    view(admin_client)
    newest = make_order()
    response, _ = view(admin_client)
    assert newest.number in response.content.decode()


def test_a_renamed_payment_method_shows_on_the_next_view(admin_client, make_order):
    order = make_order()
    view(admin_client)
    PaymentMethod.objects.filter(pk=order.payment_method_id).update(name="Kreditkarte Neu")
    response, _ = view(admin_client)
    assert "Kreditkarte Neu" in response.content.decode()


def test_another_staff_member_gets_their_own_page(admin_client, make_order, client):
    make_order()
    view(admin_client)
    other = StaffFactory(is_superuser=True, first_name="Zofia")
    second = Client()
    second.force_login(other)
    response, _ = view(second)
    assert not kept(response) and "Zofia" in response.content.decode()


def test_a_changed_backoffice_language_shows_on_the_next_view(admin_client, make_order, staff):
    make_order()
    view(admin_client)
    type(staff).objects.filter(pk=staff.pk).update(language="de")
    response, _ = view(admin_client)
    assert "Bestellung" in response.content.decode()


def test_a_waiting_message_is_shown_not_the_kept_page(admin_client, make_order):
    make_order()
    view(admin_client)
    assert kept(view(admin_client)[0])
    session = admin_client.session  # what a bulk action leaves for the list it goes back to
    session[SessionStorage.session_key] = MessageEncoder().encode(
        [Message(constants.SUCCESS, "Seven orders shipped.")]
    )
    session.save()
    response, _ = view(admin_client)
    assert "Seven orders shipped." in response.content.decode()
    assert kept(view(admin_client)[0])  # shown once; the next view is the kept page again


def test_the_token_of_a_kept_page_posts_its_action(make_order, staff):
    order = make_order()
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    view(client)
    response, _ = view(client)
    assert kept(response)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content)[1]
    posted = client.post(
        reverse(CHANGELIST),
        {
            "csrfmiddlewaretoken": token.decode(),
            "action": "bulk_export_csv",
            "_selected_action": [order.pk],
        },
    )
    assert posted.status_code == 200 and posted["Content-Type"].startswith("text/csv")


def test_filters_that_read_other_tables_are_never_kept(admin_client, make_order):
    make_order()
    for query in ("?to_ship=ready", "?receivable=all", "?_facets=True", "?e=1&p=2"):
        view(admin_client, query)
        response, _ = view(admin_client, query)
        assert not kept(response), query


def test_filters_on_the_orders_alone_are_kept(admin_client, make_order):
    make_order()
    for query in ("?status__exact=pending", "?payment_status__exact=paid&o=2", "?buyer=new"):
        view(admin_client, query)
        assert kept(view(admin_client, query)[0]), query


@pytest.mark.django_db(transaction=True)
def test_the_version_moves_once_per_committed_transaction(make_order):
    order = make_order()
    before = list_version()
    with transaction.atomic():
        for phone in ("1", "2", "3"):
            Order.objects.filter(pk=order.pk).update(phone=phone)
        assert list_version() == before  # at the commit, not before
    assert list_version() == before + 1
    with pytest.raises(RuntimeError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(phone="4")
        raise RuntimeError
    assert list_version() == before + 1  # a rolled-back change moves nothing
    Order.objects.filter(pk=order.pk).update(phone="5")
    assert list_version() == before + 2


def test_a_page_of_new_rows_replaces_the_old_one(admin_client, make_order):
    from shop import keptlists

    make_order()
    view(admin_client)
    for _ in range(3):
        make_order()
        view(admin_client)
    assert len(keptlists._pages) == 1  # not one per version until the LRU drops them
