"""The personal-data search lists customers by name (``privacy.subjects.search``:
``ORDER BY first || ' ' || last, id`` of the matches, 50 at a time). A common surname matched
about 7,000 of 200,000 customers, all read and sorted for the first 51: 20 ms, a third of
the page (S15: ≤ 50 ms). With the names in this order in an index, the first 51 matches
are read in order: 4–5 ms. Staff are never listed there, so the index holds customers only.

Built CONCURRENTLY outside a transaction (``atomic = False``): the table stays writable while
the index is built (PostgreSQL only; a build that failed is dropped and built again when the
migration runs again, as customers/0019 does).
"""

from django.db import migrations

NAME = "customers_user_person_name"


def build(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("customers", "User")._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid) AND NOT i.indisvalid",
            [NAME],
        )
        if cursor.fetchone() is not None:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON {table} "
        """(("first_name" || ' ' || "last_name"), "id") WHERE NOT "is_staff\""""
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("customers", "0021_confirmation_sent_to")]

    operations = [migrations.RunPython(build, drop)]
