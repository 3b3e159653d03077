"""The customers' name search ignores accents: its trigram index is on the folded name
(PostgreSQL only).

The backoffice customer list and the personal-data browser compare ``shop_fold(first || ' '
|| last)`` (shop/0032, ``shop.db.FoldedContains``): "lukasz wrobel" finds "Łukasz Wróbel".
The new index replaces ``customers_user_name_trgm`` of customers/0004 (on ``UPPER(...)``),
with the same finer statistics for the planner's row estimate of a common surname
(``shop.admin.EstimatedCountPaginator``); the table is analysed at once so the estimate
does not wait for the next autovacuum. The e-mail index stays: addresses are compared as
they are.

Built CONCURRENTLY outside a transaction (``atomic = False``): the table stays writable
while the index is built. A build that failed (an INVALID index left behind) is dropped and
built again when the migration is run again. Reversing restores the index of customers/0004.
"""

from django.db import migrations

TABLE = ("customers", "User")
OLD = ("customers_user_name_trgm", """(UPPER(("first_name" || ' ' || "last_name")::text))""")
NEW = ("customers_user_name_fold_trgm", """shop_fold(("first_name" || ' ' || "last_name"))""")
STATISTICS = 1000


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


def replace(build, drop):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        name, expression = build
        table = schema_editor.quote_name(apps.get_model(*TABLE)._meta.db_table)
        _drop_if_invalid(schema_editor, name)
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} "
            f"USING gin ({expression} gin_trgm_ops)"
        )
        schema_editor.execute(f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS {STATISTICS}")
        schema_editor.execute(f"ANALYZE {table}")
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {drop[0]}")

    return apply


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("customers", "0018_vat_id_checks"),
        ("shop", "0032_unaccent_fold"),
    ]

    operations = [migrations.RunPython(replace(NEW, OLD), replace(OLD, NEW))]
