"""Private files: below ``settings.PRIVATE_MEDIA_ROOT``, never served from a URL.

Helpdesk attachments and the results of background jobs (merged PDFs, exports) are stored
here and leave the shop only through views that check permissions first.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


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
