"""Stores the width and height of product pictures saved without them.

Pictures made by ``seed_demo`` before this migration were saved from content without a file
name, which Django's ImageField does not measure, so their width and height are empty; the
pages measured the file on every load instead (``shop.fields.PictureField`` no longer does).
A picture whose file is missing or unreadable keeps empty dimensions: pages then show it
without width and height attributes, as before.
"""

from django.core.files.images import get_image_dimensions
from django.core.files.storage import default_storage
from django.db import migrations


def measure(apps, schema_editor):
    ProductImage = apps.get_model("shop", "ProductImage")
    rows = ProductImage.objects.filter(width__isnull=True).exclude(image="")
    for pk, name in rows.values_list("pk", "image").iterator():
        try:
            with default_storage.open(name, "rb") as file:
                width, height = get_image_dimensions(file, close=True)
        except (OSError, ValueError):
            continue
        if width and height:
            ProductImage.objects.filter(pk=pk).update(width=width, height=height)


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0016_outbox_render_later"),
    ]

    operations = [
        migrations.RunPython(measure, migrations.RunPython.noop, elidable=True),
    ]
