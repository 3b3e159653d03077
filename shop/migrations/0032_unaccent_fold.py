"""``shop_fold(text)``: a text in upper case without its accents (PostgreSQL only), for the
backoffice name searches (``shop.db.FoldedContains``): "LUKASZ WROBEL" for "Łukasz Wróbel",
"SOREN" for "Søren", "STRASSE" for "Straße".

``unaccent()`` is only STABLE (its dictionary could be changed or another one found on the
search path), so an index can't be built on it. This wrapper names the dictionary with its
schema and is declared IMMUTABLE: the trigram indexes of customers, orders and invoices are
built on ``shop_fold(<name>)`` (customers/0019, orders/0026). The promise holds as long as
nobody edits the ``unaccent`` rules file; whoever does must REINDEX those indexes.

The body is a SQL-standard one (``RETURN``): parsed here, so it does not depend on the search
path of the session calling it (nor of a pg_restore, which runs with an empty one).
"""

from django.db import migrations

FUNCTION = "shop_fold"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Made by shop/0008 for the product search; named again as this function needs it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
        schema = schema_editor.quote_name(cursor.fetchone()[0])
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
        f"RETURN upper({schema}.unaccent('{schema}.unaccent'::regdictionary, $1))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No CASCADE: the indexes on it are dropped first by reversing the apps' migrations.
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(text)")


class Migration(migrations.Migration):
    dependencies = [("shop", "0031_shipping_rate_help")]

    operations = [migrations.RunPython(create, drop)]
