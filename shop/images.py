"""Product pictures: what an upload must be. Resizing is django-imagekit's (the spec fields
on ``shop.models.ProductImage``), written by :class:`CheckedFileBackend`."""

import logging

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from imagekit.cachefiles.backends import CacheFileState, Simple
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}

logger = logging.getLogger(__name__)


def too_many_pixels():
    return ValidationError(
        _("The picture has too many pixels (at most %(mp)s megapixels).")
        % {"mp": round(settings.PRODUCT_IMAGE_MAX_PIXELS / 1_000_000, 1)},
        code="too_many_pixels",
    )


class PictureFormField(forms.ImageField):
    """Django's image field, except that a picture Pillow refuses to open for its size (a
    "decompression bomb": above twice ``PIL.Image.MAX_IMAGE_PIXELS``, e.g. 20000×20000) gets
    the message of every picture above the pixel limit, not "Upload a valid image … corrupted"
    — the form field opens the file before the model's validator could say so."""

    def to_python(self, data):
        try:
            return super().to_python(data)
        except ValidationError as exc:
            if isinstance(exc.__cause__, Image.DecompressionBombError):
                raise too_many_pixels() from None
            raise


def validate_product_image(file):
    """A real JPEG, PNG, WebP or GIF within ``PRODUCT_IMAGE_MAX_BYTES`` and
    ``PRODUCT_IMAGE_MAX_PIXELS``. SVG (a document that can carry scripts) is refused, as is
    anything Pillow cannot verify. A picture already stored was checked when it was
    uploaded: saving its product again does not read it anew (Django has measured and closed
    the file by then, and every product with pictures failed to save as "not a picture")."""
    if getattr(file, "_committed", False):
        return
    name = (getattr(file, "name", "") or "").lower()
    if name.endswith((".svg", ".svgz")):
        raise ValidationError(_("SVG files are not accepted; please upload JPEG, PNG or WebP."))
    size = getattr(file, "size", None)
    if size is not None and size > settings.PRODUCT_IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The picture is too large (at most %(mb)s MB).")
            % {"mb": round(settings.PRODUCT_IMAGE_MAX_BYTES / 1024 / 1024, 1)}
        )
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            if width * height > settings.PRODUCT_IMAGE_MAX_PIXELS:
                raise too_many_pixels()
            image.verify()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("This file is not a picture we can read.")) from None
    finally:
        try:
            file.seek(0)
        except (ValueError, OSError):  # a closed or unseekable upload: nothing to rewind
            pass
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(_("Please upload a JPEG, PNG, WebP or GIF picture."))


class CheckedFileBackend(Simple):
    """imagekit's synchronous backend, except that a resized version the cache remembers as
    written is written again when its file is not there (a moved or restored ``MEDIA_ROOT``,
    a deleted file). imagekit keeps that memory in Redis without expiry in production, so
    ``manage.py generateimages`` skipped exactly the versions it is run for. Pages never ask
    (the Optimistic strategy): the storage is checked only where a version is generated."""

    def generate(self, file, force=False):
        if (
            not force
            and self.get_state(file, check_if_unknown=False) == CacheFileState.EXISTS
            and not file.storage.exists(file.name)
        ):
            force = True
        super().generate(file, force=force)


def remove_picture_files(sender, instance, **kwargs):
    """``post_delete`` of a product picture (deleted in the product form, or with its
    product): its file and its resized versions go too, once the deletion is committed —
    pictures are public files, and a deleted one stayed at its address. A rolled-back
    deletion keeps them; a file another picture row still names is kept."""
    name = instance.image.name
    if not name:
        return
    files = [(instance.image.storage, name)]
    for version in sorted(instance.VERSIONS):
        cached = getattr(instance, version)
        files.append((cached.storage, cached.name))
    model = type(instance)

    def remove():
        if model.objects.filter(image=name).exists():
            return
        for storage, file_name in files:
            try:
                storage.delete(file_name)
            except OSError:
                logger.warning("Could not delete the picture file %s", file_name, exc_info=True)

    transaction.on_commit(remove, using=kwargs.get("using"))


def remove_replaced_picture_files(sender, instance, **kwargs):
    """``pre_save`` of a product picture: a new file in place of the old one (the product form's
    "change") removes the old file and its resized versions after the commit, as a deletion
    does — a replaced picture stayed public at its old address."""
    if instance.pk is None or kwargs.get("raw"):
        return
    old = sender.objects.filter(pk=instance.pk).first()
    if old is None or not old.image.name or old.image.name == instance.image.name:
        return
    remove_picture_files(sender, old, using=kwargs.get("using"))
