"""The product search's full-text indexes, built again when the shop's language changed.

Per shop language one GIN index (``shop_product_fts_<language>``, first made by shop/0011)
on exactly the document ``shop.db.search_products`` searches: that language's name and
description, the SKU and — for every language but the shop's own — the default language's
name and description (``shop.db.search_fields``). After ``SHOP_LANGUAGE`` changed, the
searches ask for another document than the indexes hold; PostgreSQL then reads the whole
product table on every search. ``manage.py fill_shop_language`` calls ``rebuild``.

Each index is built under a new name with ``CREATE INDEX CONCURRENTLY`` (the shop keeps
selling and editing products meanwhile) and only then takes the old one's place, so a
search never goes without an index; an interrupted run leaves the old index working and the
next run starts over.
"""

import re

from django.db import connections, transaction

NAME = "shop_product_fts_{language}"
_COLUMN = re.compile(r"\b(?:name|description)_[a-z]{2}\b")


def _languages():
    from django.conf import settings

    return [code for code, _name in settings.LANGUAGES]


def _index(language, name):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    from .db import search_config, search_fields

    document = SearchVector(*search_fields(language), config=search_config(language))
    return GinIndex(document, name=name)


def stale(using="default"):
    """The languages whose index is missing or is over other columns than the search of
    today's shop language reads (``[]`` when every index fits; always ``[]`` outside
    PostgreSQL, which has none)."""
    from .db import search_fields

    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
            [[NAME.format(language=code) for code in _languages()]],
        )
        definitions = dict(cursor.fetchall())
    found = []
    for code in _languages():
        definition = definitions.get(NAME.format(language=code))
        wanted = {field for field in search_fields(code) if field != "sku"}
        if definition is None or set(_COLUMN.findall(definition)) != wanted:
            found.append(code)
    return found


def rebuild(languages=None, using="default"):
    """Build the index of each of ``languages`` (default: every stale one) anew for today's
    shop language; returns the languages rebuilt. Concurrently, unless called inside a
    transaction (which CREATE INDEX CONCURRENTLY cannot run in): then a plain CREATE INDEX,
    which blocks writes to the products until the transaction ends."""
    from .models import Product

    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    languages = stale(using) if languages is None else list(languages)
    concurrently = not connection.in_atomic_block
    drop = "DROP INDEX CONCURRENTLY IF EXISTS" if concurrently else "DROP INDEX IF EXISTS"
    if languages and not concurrently:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for code in languages:
        name = NAME.format(language=code)
        new = f"{name}_new"
        with connection.cursor() as cursor:
            cursor.execute(f"{drop} {connection.ops.quote_name(new)}")  # an interrupted run
        with connection.schema_editor(atomic=False) as editor:
            editor.add_index(Product, _index(code, new), concurrently=concurrently)
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
            cursor.execute(
                f"ALTER INDEX {connection.ops.quote_name(new)} "
                f"RENAME TO {connection.ops.quote_name(name)}"
            )
    if languages and not concurrently:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return languages
