"""The orders' and invoices' name search ignores accents: their trigram indexes are on the
folded names (PostgreSQL only).

The backoffice order list and the personal-data browser (orders, invoices, and credit notes
through their invoice) compare ``shop_fold(<name>)`` (shop/0032, ``shop.db.FoldedContains``):
"brzeczyszczykiewicz" finds "Brzęczyszczykiewicz". The new indexes replace those of
orders/0004 and orders/0023 (on ``UPPER(...)``); the orders' keeps its finer statistics for
the planner's row estimate of a common surname (``shop.admin.EstimatedCountPaginator``), and
the table is analysed at once so the estimate does not wait for the next autovacuum. The
e-mail indexes stay: addresses are compared as they are.

Built CONCURRENTLY outside a transaction (``atomic = False``): a million orders stay
writable while the index is built. A build that failed (an INVALID index left behind) is
dropped and built again when the migration is run again. Reversing restores the old indexes.
"""

from django.db import migrations

INDEXES = [
    # (model, (old name, old expression), (new name, new expression), statistics target)
    (
        "Order",
        (
            "orders_order_name_trgm",
            """(UPPER(("billing_first_name" || ' ' || "billing_last_name")::text))""",
        ),
        (
            "orders_order_name_fold_trgm",
            """shop_fold(("billing_first_name" || ' ' || "billing_last_name"))""",
        ),
        1000,
    ),
    (
        "Invoice",
        ("orders_invoice_buyer_name_trgm", """(UPPER(("buyer_name")::text))"""),
        ("orders_invoice_buyer_name_fold_trgm", """shop_fold(("buyer_name"))"""),
        None,
    ),
]


def _drop_if_invalid(schema_editor, name):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid) AND NOT i.indisvalid",
            [name],
        )
        invalid = cursor.fetchone() is not None
    if invalid:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def replace(forward):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for model, old, new, statistics in INDEXES:
            (name, expression), dropped = (new, old) if forward else (old, new)
            table = schema_editor.quote_name(apps.get_model("orders", model)._meta.db_table)
            _drop_if_invalid(schema_editor, name)
            schema_editor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} "
                f"USING gin ({expression} gin_trgm_ops)"
            )
            if statistics:
                schema_editor.execute(
                    f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS {statistics}"
                )
                schema_editor.execute(f"ANALYZE {table}")
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {dropped[0]}")

    return apply


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orders", "0025_part_payments"),
        ("shop", "0032_unaccent_fold"),
    ]

    operations = [migrations.RunPython(replace(True), replace(False))]
