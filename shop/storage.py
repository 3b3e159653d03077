"""Private files: below ``settings.PRIVATE_MEDIA_ROOT``, never served from a URL.

Helpdesk attachments, products' download files and the results of background jobs (merged
PDFs, exports) are stored here and leave the shop only through views that check permissions
or a download link first. ``tests/security/test_private_files.py`` holds every file field of
the project to this: private storage, or a public picture it names.
"""

import os

from django import forms
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class PrivateStorage(FileSystemStorage):
    """Reads the setting at every access, so a changed setting (e.g. per test) applies at once.
    No URL: the files are served by views only."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL.")


_storage = PrivateStorage()


def private_storage():
    """The storage of private FileFields (a callable, so migrations do not freeze a path)."""
    return _storage


def is_private(field):
    """Whether a model's ``FileField`` stores its files here."""
    return isinstance(field.storage, PrivateStorage)


class PrivateFileInput(forms.ClearableFileInput):
    """The upload field of a private file: the current file's name without a link (it has
    no URL, which Django's widget would ask the storage for), "Clear" and the upload."""

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))

    def format_value(self, value):
        return value if self.is_initial(value) else None

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        input_attrs = {k: v for k, v in widget["attrs"].items() if k != "checked"}
        upload = format_html(
            '<input type="{}" name="{}"{}>', widget["type"], widget["name"], flatatt(input_attrs)
        )
        if not widget["is_initial"]:
            return upload
        parts = [
            format_html(
                '{}: <strong class="private-file">{}</strong>',
                widget["initial_text"],
                os.path.basename(value.name),
            )
        ]
        if not widget["required"]:
            parts.append(
                format_html(
                    ' <input type="checkbox" name="{}" id="{}"> <label for="{}">{}</label>',
                    widget["checkbox_name"],
                    widget["checkbox_id"],
                    widget["checkbox_id"],
                    widget["clear_checkbox_label"],
                )
            )
        parts.append(format_html("<br>{}: {}", widget["input_text"], upload))
        return mark_safe("".join(parts))
