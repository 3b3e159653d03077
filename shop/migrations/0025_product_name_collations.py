"""Product names sort as their language sorts: each language's column gets that language's
ICU collation (PostgreSQL), so "Äpfel" stands among the A's in German, "Świece" after
"Szklanka" in Polish and "Æble" after "Zebra" in Danish — the database's C collation sorted
by code point. The indexes over the columns (the category lists' partial indexes among
them) are rebuilt with the column, so lists still read them in order.

The collation is the column's own, not part of Django's model state: a later AlterField of
``name`` would reset it; ``tests/shop/test_name_collations.py`` notices that."""

from django.db import migrations

COLLATIONS = {
    "name": "und-x-icu",
    "name_en": "und-x-icu",
    "name_de": "de-x-icu",
    "name_pl": "pl-x-icu",
    "name_da": "da-x-icu",
}


def _alter(apps, schema_editor, reverse=False):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT collname FROM pg_collation")
        available = {row[0] for row in cursor.fetchall()}
        for column, collation in COLLATIONS.items():
            if not reverse and collation not in available:
                continue  # a PostgreSQL built without ICU keeps the database's collation
            target = "default" if reverse else collation
            cursor.execute(
                f"ALTER TABLE shop_product ALTER COLUMN {column} TYPE varchar(200) "
                f'COLLATE "{target}"'
            )


def forwards(apps, schema_editor):
    _alter(apps, schema_editor)


def backwards(apps, schema_editor):
    _alter(apps, schema_editor, reverse=True)


class Migration(migrations.Migration):
    dependencies = [("shop", "0024_image_alt_text_languages")]

    operations = [migrations.RunPython(forwards, backwards)]
