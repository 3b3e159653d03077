"""Data for 0010 and the search indexes over the translated columns.

1. The default language's columns (``name_en`` …) get the existing texts of categories,
   products, shipping and payment methods and the shop settings' legal texts, so nothing
   shows empty and every other language falls back to them.
2. The product search (``shop.db.search_products``) now reads the language columns: per
   text-search configuration one GIN index on exactly the document it searches — the
   language's own name and description, the SKU and the default language's name and
   description (a product not translated yet is still found) — and a trigram index per
   language's name for typo tolerance. The indexes of 0008 over the single columns go.
"""

from django.conf import settings
from django.db import migrations
from django.db.models import F
from modeltranslation.utils import build_localized_fieldname

DEFAULT = getattr(settings, "MODELTRANSLATION_DEFAULT_LANGUAGE", settings.LANGUAGE_CODE)
FIELDS = {
    "Category": ("name", "description"),
    "Product": ("name", "description"),
    "ShippingMethod": ("name", "description"),
    "PaymentMethod": ("name", "description"),
    "ShopSettings": ("terms",),  # the terms had their columns already (0009): only if empty
}
CONFIGS = {"german": "de", "danish": "da", "english": "en", "shop_simple_unaccent": "pl"}
OLD_INDEXES = (
    "shop_product_fts_german",
    "shop_product_fts_danish",
    "shop_product_fts_english",
    "shop_product_fts_simple_unaccent",
    "shop_product_name_trgm",
)


def document(language, default="en"):
    """The SQL of ``SearchVector(*shop.db.search_fields(language))``'s text: keep in step."""
    columns = [f"name_{language}", "sku", f"description_{language}"]
    if language != default:
        columns += [f"name_{default}", f"description_{default}"]
    return " || ' ' || ".join(f'COALESCE("{c}", \'\')' for c in columns)


def fill(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        model = apps.get_model("shop", model_name)
        for field in fields:
            column = build_localized_fieldname(field, DEFAULT)
            model.objects.filter(**{f"{column}__isnull": True}).update(**{column: F(field)})
            model.objects.filter(**{column: ""}).exclude(**{field: ""}).update(**{column: F(field)})


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("shop", "Product")._meta.db_table)
    for name in OLD_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for config, language in CONFIGS.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS shop_product_fts_{language} ON {table} "
            f"USING gin (to_tsvector('{config}'::regconfig, {document(language, DEFAULT)}))"
        )
    for language, _name in settings.LANGUAGES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS shop_product_name_{language}_trgm ON {table} "
            f'USING gin ("name_{language}" gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in CONFIGS.values():
        schema_editor.execute(f"DROP INDEX IF EXISTS shop_product_fts_{language}")
    for language, _name in settings.LANGUAGES:
        schema_editor.execute(f"DROP INDEX IF EXISTS shop_product_name_{language}_trgm")


class Migration(migrations.Migration):
    dependencies = [("shop", "0010_translated_catalog_and_legal_pages")]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
