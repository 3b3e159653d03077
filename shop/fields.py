"""Field types shared by every app's models and forms.

An e-mail address is at most ``EMAIL_MAX_LENGTH`` (254) characters everywhere: RFC 5321
limits the forward path to 256 octets including the angle brackets. Every column that
stores an address and every form field that accepts one use the types below, so no form can
accept an address that its column (or the login throttle's record) cannot hold — Django's
plain ``forms.EmailField`` accepts 320 characters, its model field stores 254.
"""

from django import forms
from django.core.files.images import get_image_dimensions
from django.db import models

from .images import PictureFormField

EMAIL_MAX_LENGTH = 254


class EmailFormField(forms.EmailField):
    def __init__(self, *, max_length=EMAIL_MAX_LENGTH, **kwargs):
        if max_length > EMAIL_MAX_LENGTH:
            raise ValueError(f"An e-mail field holds at most {EMAIL_MAX_LENGTH} characters")
        super().__init__(max_length=max_length, **kwargs)


class EmailField(models.EmailField):
    """A column holding an e-mail address; its form field is :class:`EmailFormField`."""

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = EMAIL_MAX_LENGTH
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        # Migrations see Django's EmailField: the column is exactly the one it was.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.EmailField", args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": EmailFormField, **kwargs})


class URLField(models.URLField):
    """A column holding a web address; its form field takes a bare host name as https
    (Django 6's default, without the deprecated transitional setting)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.URLField", args, kwargs


class PictureField(models.ImageField):
    """An image column whose width and height come from their own columns, never from the
    file when a row is loaded.

    Django's ``ImageField`` opens the file to measure it whenever a row without stored
    dimensions is loaded (and on every instance made without them, such as a listing's
    first picture): a disk read per picture on every page, and a page that fails when a
    picture's file is missing. Here the file is measured only when one is assigned (an
    upload, ``image.save(...)``), also from content without a name (a ``ContentFile``).
    Migrations see Django's ``ImageField``: the column is the same.
    """

    def contribute_to_class(self, cls, name, **kwargs):
        # FileField's, not ImageField's: no post_init receiver that measures on load.
        super(models.ImageField, self).contribute_to_class(cls, name, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs

    def formfield(self, **kwargs):
        # A picture too large for Pillow to open is named as such (shop.images).
        return super().formfield(**{"form_class": PictureFormField, **kwargs})

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        if not force or self.attname not in instance.__dict__:
            return
        file = getattr(instance, self.attname)
        content = getattr(file, "_file", None)
        if file or content is None:
            super().update_dimension_fields(instance, force=True)
            return
        width, height = get_image_dimensions(content)  # content without a name
        if self.width_field:
            setattr(instance, self.width_field, width)
        if self.height_field:
            setattr(instance, self.height_field, height)
