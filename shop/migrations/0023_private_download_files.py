"""Product download files are private: stored under PRIVATE_MEDIA_ROOT/downloads/, never served
from MEDIA_URL (under MEDIA_ROOT anyone could fetch a paid file at /media/downloads/<name>).

The field moves to the private storage and every file under MEDIA_ROOT/downloads/ (the files
of the products and older versions replaced since) is moved to the same name under
PRIVATE_MEDIA_ROOT: copied beside its target, renamed into place, then removed from
MEDIA_ROOT — so a crash leaves either the old or the new place complete. Running it again
moves what is left and skips what is done; a product whose file is missing stays as it was
(its download page says the file is not available). A different file already holding the
name in the private root keeps it: the moved one gets a free name, written to its products.

Reversing changes only the field: the files stay private, because moving them back would
publish them again. Going back to a version before this one, copy them back by hand.
"""

import filecmp
import logging
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import migrations, models

import shop.storage

log = logging.getLogger("shop.migrations")
FOLDER = "downloads"


def _inside(root, name):
    """``root / name``, or None for a name that would leave ``root`` ("../")."""
    path = Path(os.path.normpath(root / name))
    return path if path.is_relative_to(Path(os.path.normpath(root))) else None


def move_download_files(apps, schema_editor):
    Product = apps.get_model("shop", "Product")
    public = Path(settings.MEDIA_ROOT)
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    names = set(
        Product.objects.exclude(download_file="")
        .exclude(download_file__isnull=True)
        .values_list("download_file", flat=True)
        .distinct()
    )
    folder = public / FOLDER
    if folder.is_dir():
        names.update(p.relative_to(public).as_posix() for p in folder.rglob("*") if p.is_file())
    moved = 0
    for name in sorted(names):
        source, target = _inside(public, name), _inside(private, name)
        if source is None or target is None or not source.is_file():
            continue  # already moved, or missing: nothing to do
        if target.exists():
            if filecmp.cmp(source, target, shallow=False):
                source.unlink()  # moved before, removal interrupted
                continue
            new_name = FileSystemStorage(location=private).get_available_name(name)
            target = private / new_name
            Product.objects.filter(download_file=name).update(download_file=new_name)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.moving")
        shutil.copy2(source, partial)
        os.replace(partial, target)
        source.unlink()
        moved += 1
    if folder.is_dir():  # the emptied folders
        for path in sorted(folder.rglob("*"), reverse=True):
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        if not any(folder.iterdir()):
            folder.rmdir()
    if moved:
        log.info("Moved %d product download file(s) to %s", moved, private / FOLDER)


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0022_shop_settings_number_ranges"),
    ]

    operations = [
        migrations.AlterField(
            model_name="product",
            name="download_file",
            field=models.FileField(
                blank=True,
                storage=shop.storage.private_storage,
                upload_to="downloads/",
                verbose_name="download file",
            ),
        ),
        migrations.RunPython(move_download_files, migrations.RunPython.noop, elidable=True),
    ]
