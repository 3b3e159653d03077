"""Migrations that move or fix data: checked by migrating a real database back and forth."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The name indexes are on the accent-folded names (customers/0019, orders/0026) since the
# name search ignores accents; the e-mail indexes are those of customers/0004 and orders/0004.
NEW_INDEXES = {
    "customers_user_name_fold_trgm": "customers_user",
    "customers_user_email_trgm": "customers_user",
    "orders_order_name_fold_trgm": "orders_order",
    "orders_order_email_trgm": "orders_order",
}
# What customers/0004 and orders/0004 built and customers/0019 and orders/0026 replace.
UPPER_NAME_INDEXES = {"customers_user_name_trgm", "orders_order_name_trgm"}
OLD_INDEXES = {
    "privacy_user_name_trgm",
    "privacy_user_email_trgm",
    "privacy_order_name_trgm",
    "privacy_order_email_trgm",
}


def _indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, tablename FROM pg_indexes WHERE schemaname = current_schema()"
        )
        return dict(cursor.fetchall())


def _statistics(index):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute WHERE attrelid = %s::regclass AND attnum = 1",
            [index],
        )
        return cursor.fetchone()[0]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def _migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def migrations_restored():
    yield
    _migrate_to_latest()


@pytest.mark.django_db
def test_each_app_owns_the_indexes_on_its_own_tables():
    """A fresh database (``make test`` creates one): the trigram search indexes belong to the
    apps whose tables they index, and no app names an index on another app's table."""
    from django.apps import apps

    indexes = _indexes()
    for name, table in NEW_INDEXES.items():
        assert indexes.get(name) == table
    assert not (OLD_INDEXES | UPPER_NAME_INDEXES) & set(indexes)
    assert _statistics("customers_user_name_fold_trgm") == 1000
    assert _statistics("orders_order_name_fold_trgm") == 1000
    owner = {
        m._meta.db_table: m._meta.app_label
        for m in apps.get_models()
        if not m._meta.proxy and m._meta.managed
    }
    labels = set(owner.values())
    for name, table in indexes.items():
        prefix = name.split("_")[0]
        if table in owner and prefix in labels:
            assert prefix == owner[table], f"{name} on {table}"


@pytest.mark.django_db(transaction=True)
def test_an_existing_installation_hands_the_indexes_over(migrations_restored):
    """Before: privacy/0002 had created them on the customers' and orders' tables."""
    _migrate(
        [
            ("customers", "0003_list_indexes"),
            ("orders", "0003_credit_notes"),
            ("privacy", "0003_name_search_statistics"),
        ]
    )
    indexes = _indexes()
    assert OLD_INDEXES <= set(indexes)
    assert not set(NEW_INDEXES) & set(indexes)
    assert _statistics("privacy_user_name_trgm") == 1000

    _migrate_to_latest()
    indexes = _indexes()
    assert set(NEW_INDEXES) <= set(indexes)
    assert not (OLD_INDEXES | UPPER_NAME_INDEXES) & set(indexes)
    assert _statistics("customers_user_name_fold_trgm") == 1000


@pytest.mark.django_db(transaction=True)
def test_the_folded_name_indexes_replace_the_upper_case_ones_and_back(migrations_restored):
    """customers/0019 and orders/0026 build the indexes on the folded names and drop those on
    UPPER(...); reversed, the old ones are back with their statistics, and shop_fold goes."""
    _migrate(
        [
            ("customers", "0018_vat_id_checks"),
            ("orders", "0025_part_payments"),
            ("shop", "0031_shipping_rate_help"),
        ]
    )
    indexes = _indexes()
    assert UPPER_NAME_INDEXES | {"orders_invoice_buyer_name_trgm"} <= set(indexes)
    assert not any(name.endswith("_fold_trgm") for name in indexes)
    assert _statistics("customers_user_name_trgm") == 1000
    assert _statistics("orders_order_name_trgm") == 1000
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('shop_fold(text)') IS NULL")
        assert cursor.fetchone()[0]

    _migrate_to_latest()
    indexes = _indexes()
    folded = {"customers_user_name_fold_trgm", "orders_order_name_fold_trgm"}
    assert folded | {"orders_invoice_buyer_name_fold_trgm"} <= set(indexes)
    assert not (UPPER_NAME_INDEXES | {"orders_invoice_buyer_name_trgm"}) & set(indexes)
    for name in folded:
        assert _statistics(name) == 1000
    with connection.cursor() as cursor:
        cursor.execute("SELECT shop_fold('Łukasz Wróbel, Søren, Åse, Müller, Straße')")
        assert cursor.fetchone()[0] == "LUKASZ WROBEL, SOREN, ASE, MULLER, STRASSE"


@pytest.mark.django_db(transaction=True)
def test_duplicate_default_addresses_keep_the_lowest_id_as_default(migrations_restored):
    before = [("customers", "0004_name_search_indexes")]
    executor = _migrate(before)
    old_apps = executor.loader.project_state(before).apps
    User = old_apps.get_model("customers", "User")
    Address = old_apps.get_model("customers", "Address")
    fields = {"first_name": "E", "last_name": "M", "street": "W 1", "postcode": "1", "city": "B"}
    erika = User.objects.create(email="erika@example.com", password="!")
    max_ = User.objects.create(email="max@example.com", password="!")
    e1, e2, e3 = (Address.objects.create(customer=erika, is_default=True, **fields) for _ in "123")
    e4 = Address.objects.create(customer=erika, is_default=False, **fields)
    m1 = Address.objects.create(customer=max_, is_default=True, **fields)

    _migrate_to_latest()
    from customers.models import Address as CurrentAddress

    default = dict(CurrentAddress.objects.values_list("pk", "is_default"))
    assert default == {e1.pk: True, e2.pk: False, e3.pk: False, e4.pk: False, m1.pk: True}
