"""The trigram name/e-mail indexes on the customers' and orders' tables now belong to those
apps (customers/0004, orders/0004, same expressions, new names); drop the copies privacy/0002
created there (PostgreSQL only).

On a fresh database privacy/0002 still creates them first, so this runs after the owning
apps' migrations and leaves exactly one index per expression. Reversing recreates them, as
privacy/0002 and 0003 left them.
"""

from django.db import migrations

OLD_INDEXES = {
    # name: (app, model, indexed expression, statistics target)
    "privacy_user_name_trgm": (
        "customers",
        "User",
        """(UPPER(("first_name" || ' ' || "last_name")::text))""",
        1000,
    ),
    "privacy_user_email_trgm": ("customers", "User", """(UPPER("email"::text))""", None),
    "privacy_order_name_trgm": (
        "orders",
        "Order",
        """(UPPER(("billing_first_name" || ' ' || "billing_last_name")::text))""",
        1000,
    ),
    "privacy_order_email_trgm": ("orders", "Order", """(UPPER("email"::text))""", None),
}


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in OLD_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def recreate(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (app, model, expression, statistics) in OLD_INDEXES.items():
        table = schema_editor.quote_name(apps.get_model(app, model)._meta.db_table)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression} gin_trgm_ops)"
        )
        if statistics:
            schema_editor.execute(
                f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS {statistics}"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0003_name_search_statistics"),
        ("customers", "0004_name_search_indexes"),
        ("orders", "0004_name_search_indexes"),
    ]

    operations = [migrations.RunPython(drop, recreate)]
