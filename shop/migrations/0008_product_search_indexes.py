"""Full-text and trigram indexes for the storefront's product search (PostgreSQL only).

One GIN index per text-search configuration the storefront searches with (``shop.db.
SEARCH_CONFIGS``: german, danish, english, and ``shop_simple_unaccent`` for Polish, which
PostgreSQL has no stemmer for: the ``simple`` parser with accents folded by ``unaccent``),
each on exactly the expression ``SearchVector("name", "sku", "description", config=…)``
produces, plus a trigram index on the name for typo tolerance and "did you mean".
"""

from django.db import migrations

CONFIGS = ("german", "danish", "english", "shop_simple_unaccent")
DOCUMENT = """COALESCE("name", '') || ' ' || COALESCE("sku", '') || ' ' || COALESCE("description", '')"""


def index_name(config):
    return f"shop_product_fts_{config.replace('shop_', '')}"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("shop", "Product")._meta.db_table)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(
        """
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'shop_simple_unaccent') THEN
                CREATE TEXT SEARCH CONFIGURATION shop_simple_unaccent (COPY = simple);
                ALTER TEXT SEARCH CONFIGURATION shop_simple_unaccent
                    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
            END IF;
        END $$
        """
    )
    for config in CONFIGS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index_name(config)} ON {table} "
            f"USING gin (to_tsvector('{config}'::regconfig, {DOCUMENT}))"
        )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS shop_product_name_trgm ON {table} "
        'USING gin ("name" gin_trgm_ops)'
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS shop_product_name_trgm")
    for config in CONFIGS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index_name(config)}")
    schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS shop_simple_unaccent")


class Migration(migrations.Migration):
    dependencies = [("shop", "0007_catalog_pricing_images")]

    operations = [migrations.RunPython(create, drop)]
