"""Field types shared by every app's models and forms.

An e-mail address is at most ``EMAIL_MAX_LENGTH`` (254) characters everywhere: RFC 5321
limits the forward path to 256 octets including the angle brackets. Every column that
stores an address and every form field that accepts one use the types below, so no form can
accept an address that its column (or the login throttle's record) cannot hold — Django's
plain ``forms.EmailField`` accepts 320 characters, its model field stores 254.
"""

from django import forms
from django.db import models

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
