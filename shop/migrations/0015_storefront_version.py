"""The storefront version of the page cache (``shop.pagecache``): a PostgreSQL sequence that
every change of what a storefront page shows moves on (PostgreSQL only; elsewhere the page
cache is off). A sequence, not a row: moving it on never waits for another transaction."""

from django.db import migrations

from shop.pagecache import SEQUENCE


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("shop", "0014_accessibility_statement")]

    operations = [migrations.RunPython(create, drop)]
