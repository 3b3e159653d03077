"""Trigram indexes for the name and e-mail search over orders (PostgreSQL only).

Built on exactly the expressions ``shop.db.PersonName`` + ``icontains`` produce, as used by
the backoffice order list and the personal-data browser. They used to be created by
privacy/0002 under ``privacy_order_*`` names; each app owns the indexes on its own tables, so
they live here now and privacy/0004 drops the old ones. ``IF NOT EXISTS``: safe to re-run.

The name expression gets finer planner statistics: the backoffice shows the planner's row
estimate for a search matching many rows (``shop.admin.EstimatedCountPaginator``).
"""

from django.db import migrations

NAME_INDEX = "orders_order_name_trgm"
EMAIL_INDEX = "orders_order_email_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("orders", "Order")._meta.db_table)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME_INDEX} ON {table} USING gin "
        """((UPPER(("billing_first_name" || ' ' || "billing_last_name")::text)) gin_trgm_ops)"""
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {EMAIL_INDEX} ON {table} "
        """USING gin ((UPPER("email"::text)) gin_trgm_ops)"""
    )
    schema_editor.execute(f"ALTER INDEX {NAME_INDEX} ALTER COLUMN 1 SET STATISTICS 1000")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {EMAIL_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_credit_notes")]

    operations = [migrations.RunPython(create, drop)]
