"""The session store (shop/sessions.py): Django's database sessions, one statement a write."""

import pytest
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.sessions import SessionStore

pytestmark = pytest.mark.django_db(transaction=True)


def writes(queries):
    return [q["sql"].split()[0] for q in queries.captured_queries]


def test_a_new_session_is_one_insert_and_a_change_one_update():
    store = SessionStore()
    store["cart"] = {"7": 1}
    with CaptureQueriesContext(connection) as queries:
        store.save()
    assert writes(queries) == ["INSERT"]  # no SELECT for the key first, no BEGIN/COMMIT
    again = SessionStore(store.session_key)
    assert again["cart"] == {"7": 1}
    again["cart"] = {"7": 2}
    with CaptureQueriesContext(connection) as queries:
        again.save()
    assert writes(queries) == ["UPDATE"]
    assert SessionStore(store.session_key)["cart"] == {"7": 2}


def test_a_key_that_exists_is_refused_and_create_draws_another(monkeypatch):
    taken = SessionStore()
    taken["a"] = 1
    taken.save()
    clash = SessionStore(taken.session_key)
    with pytest.raises(CreateError):
        clash.save(must_create=True)
    assert SessionStore(taken.session_key)["a"] == 1  # the existing session is untouched
    keys = iter([taken.session_key, "b" * 32])
    monkeypatch.setattr(SessionStore, "_get_new_session_key", lambda self: next(keys))
    fresh = SessionStore()
    fresh.create()
    assert fresh.session_key == "b" * 32
    assert Session.objects.filter(session_key__in=[taken.session_key, "b" * 32]).count() == 2


def test_a_change_to_a_session_deleted_meanwhile_is_refused():
    store = SessionStore()
    store["a"] = 1
    store.save()
    Session.objects.filter(session_key=store.session_key).delete()  # a logout elsewhere
    store["a"] = 2
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.filter(session_key=store.session_key).exists()


def test_inside_a_transaction_a_refused_write_does_not_break_it():
    from django.db import transaction

    taken = SessionStore()
    taken.save()
    with transaction.atomic():
        with pytest.raises(CreateError):
            SessionStore(taken.session_key).save(must_create=True)
        assert Session.objects.filter(session_key=taken.session_key).exists()  # still usable


@pytest.mark.django_db
def test_a_storefront_request_reads_its_session_and_the_version_in_one_round_trip(client, product):
    from django.urls import reverse

    from shop import pagecache
    from shop.models import ShopSettings

    ShopSettings.load()  # the settings row exists in a running shop (its first load inserts it)
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("shop:cart"))
    assert page.status_code == 200 and product.name in page.content.decode()
    sql = [q["sql"] for q in queries.captured_queries]
    assert sql[0].startswith(f"SELECT (SELECT last_value FROM {pagecache.SEQUENCE})")
    assert f"SELECT last_value FROM {pagecache.SEQUENCE}" not in sql  # not read again
    version_before = pagecache.version()
    product.save()  # moves the version: the next request sees the change
    assert pagecache.version() > version_before
    assert client.get(reverse("shop:cart")).status_code == 200


@pytest.mark.django_db
def test_a_backoffice_request_reads_the_version_with_its_session_and_sees_its_own_changes(
    admin_client,
):
    """The backoffice keeps the version too (one round trip less on every page); a change
    this process makes moves it on, so what the request reads next is the changed row."""
    from django.urls import reverse

    from shop import pagecache
    from shop.models import ShopSettings

    shop = ShopSettings.load()
    admin_client.get(reverse("admin:orders_order_changelist"))
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(reverse("admin:orders_order_changelist")).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert sql[0].startswith(f"SELECT (SELECT last_value FROM {pagecache.SEQUENCE})")
    assert f"SELECT last_value FROM {pagecache.SEQUENCE}" not in sql

    pagecache.open_request()  # as in a backoffice request: the version kept
    try:
        pagecache.version()
        ShopSettings.objects.filter(pk=shop.pk).update(shop_name="Renamed in this request")
        assert ShopSettings.load().shop_name == "Renamed in this request"
    finally:
        pagecache.close_request()
