"""shop.db: the database-vendor branches. The suite runs on PostgreSQL; the portable
fallbacks (for the embedded SQLite default) are checked to select the same rows."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from shop import db
from shop.models import Category, OutboxEmail, Product
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["postgresql", "portable"])
def vendor(request, monkeypatch):
    if request.param == "portable":
        monkeypatch.setattr(db, "is_postgresql", lambda using="default": False)
    return request.param


def _email(*to):
    return OutboxEmail.objects.create(to=list(to), subject="s", body_text="b", template="t")


def test_json_array_contains(vendor):
    erika = _email("erika@example.com", "max@example.com")
    _email("erika@example.com.au")
    found = OutboxEmail.objects.filter(db.json_array_contains("to", "erika@example.com"))
    assert list(found) == [erika]


def test_json_array_contains_any(vendor):
    first, second = _email("a@example.com"), _email("b@example.com")
    _email("c@example.com")
    query = db.json_array_contains_any("to", ["a@example.com", "b@example.com"])
    assert set(OutboxEmail.objects.filter(query)) == {first, second}
    assert not OutboxEmail.objects.filter(db.json_array_contains_any("to", [])).exists()


def test_table_is_the_quoted_db_table():
    assert db.table(OutboxEmail) == connection.ops.quote_name(OutboxEmail._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {db.table(OutboxEmail)}")
        assert cursor.fetchone()[0] == 0


def test_estimated_count_comes_from_the_planner_and_is_none_for_lists():
    for i in range(20):
        _email(f"{i}@example.com")
    db.analyze(OutboxEmail)
    assert db.estimated_count(OutboxEmail.objects.all()) == 20
    assert db.estimated_count([1, 2, 3]) is None


def test_estimated_count_plans_only_the_rows_of_a_sorted_joined_list():
    category = CategoryFactory()
    ProductFactory.create_batch(30, category=category, is_active=True)
    ProductFactory.create_batch(10, category=category, is_active=False)
    db.analyze(Product, Category)
    listed = (
        Product.objects.filter(is_active=True).select_related("category").order_by("-name", "pk")
    )
    with CaptureQueriesContext(connection) as queries:
        estimate = db.estimated_count(listed)
    assert 20 <= estimate <= 40  # the planner's figure for "is_active", not for the table
    explained = queries.captured_queries[0]["sql"]
    assert "JOIN" not in explained and "ORDER BY" not in explained
    # DISTINCT decides the count: such a queryset is estimated as it is.
    distinct = Product.objects.values("category").distinct()
    with CaptureQueriesContext(connection) as queries:
        db.estimated_count(distinct)
    assert "DISTINCT" in queries.captured_queries[0]["sql"]


@pytest.mark.django_db(transaction=True)
def test_snapshot_reads_at_repeatable_read_outside_a_transaction():
    with db.snapshot(), connection.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")
        assert cursor.fetchone()[0] == "repeatable read"
    with transaction.atomic(), db.snapshot(), connection.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")  # the outer transaction decides
        assert cursor.fetchone()[0] == "read committed"


def test_without_jit_switches_jit_off_inside_only():
    def jit():
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            return cursor.fetchone()[0]

    before = jit()
    with db.without_jit():
        assert jit() == "off"
    assert jit() == before


def test_without_parallel_workers_runs_the_block_in_one_backend_only():
    def workers():
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            return cursor.fetchone()[0]

    before = workers()
    with db.without_parallel_workers():
        assert workers() == "0"
    assert workers() == before
