"""The demo shop the browser and fuzzing tests share (tests/demo_copy.py): restoring its copy
gives back exactly the rows and files the seeding made, and the shop goes on working."""

import pytest
from django.db import connection

from shop.models import Product
from tests.factories import ProductFactory, UserFactory


def table_hashes():
    qn = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT '{t}', count(*), md5(coalesce(string_agg(md5(x::text), ''"
                f" ORDER BY md5(x::text)), '')) FROM {qn(t)} x"
                for t in sorted(tables)
            )
        )
        return {table: (rows, digest) for table, rows, digest in cursor.fetchall()}


def files(root):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


@pytest.mark.django_db(transaction=True)
def test_restoring_the_copy_gives_back_the_seeded_shop(settings, demo_copy):
    demo_copy.load(settings)
    seeded, media = table_hashes(), files(settings.MEDIA_ROOT)
    assert seeded["orders_order"][0] > 100 and media  # the history and the pictures

    UserFactory()
    Product.objects.filter(pk=Product.objects.order_by("pk")[0].pk).update(name="changed")
    for path in settings.MEDIA_ROOT.rglob("*.*"):
        path.unlink()
    assert table_hashes() != seeded

    demo_copy.load(settings)
    assert table_hashes() == seeded
    assert files(settings.MEDIA_ROOT) == media
    # The sequences are past the restored rows, also one that went back meanwhile.
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('shop_product', 'id'), 1)")
    demo_copy.load(settings)
    taken = set(Product.objects.values_list("pk", flat=True))
    assert ProductFactory().pk > max(taken)
