"""Files attached to helpdesk messages: limits, type checks and private storage.

Attachments are personal data of whoever sent them. They are stored under
``settings.PRIVATE_MEDIA_ROOT`` (never below ``MEDIA_URL``: the storage has no URL at all) and
only ever leave the shop through the permission-checked download views (backoffice: anyone
who may open the thread; storefront: the thread's customer or the signed guest link).

Limits come from settings: ``HELPDESK_ATTACHMENT_MAX_BYTES`` per file,
``HELPDESK_ATTACHMENT_MAX_FILES`` per message and the allowed extensions
``HELPDESK_ATTACHMENT_TYPES``. The extension decides the content type the file is served with;
for binary formats the first bytes must match it (``filetype``), so a renamed executable is
not accepted as a PDF.
"""

import os
import uuid
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shop import storage as shop_storage

from .errors import HelpdeskError

FIELD = "attachments"

# Served content type per extension. Extensions configured but not listed here are served as
# application/octet-stream (always as a download).
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "txt": "text/plain",
    "csv": "text/csv",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}
TEXT_EXTENSIONS = {"txt", "csv"}
SNIFF_BYTES = 8192


_storage = shop_storage.private_storage()


def _sizes(size, limit):
    """The size and the limit as a person reads them — in bytes when rounding would print the
    same figure twice ("10.0 MB; at most 10.0 MB")."""
    shown, most = filesizeformat(size), filesizeformat(limit)
    if shown == most:
        shown = ngettext("%(size)d byte", "%(size)d bytes", size) % {"size": size}
        most = ngettext("%(size)d byte", "%(size)d bytes", limit) % {"size": limit}
    return {"size": shown, "max": most}


def private_storage():
    """The storage of ``Attachment.file`` (a callable, so migrations do not freeze a path)."""
    return _storage


def upload_path(instance, filename):
    """A random name; the customer's file name is kept in ``Attachment.filename`` only."""
    ext = os.path.splitext(filename)[1].lower()
    return f"helpdesk/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{ext}"


@dataclass
class Incoming:
    """A file on its way in: from a form upload or an e-mail part."""

    name: str
    file: File

    @classmethod
    def from_upload(cls, uploaded):
        return cls(uploaded.name or "", uploaded)

    @classmethod
    def from_bytes(cls, name, data):
        return cls(name or "", ContentFile(data, name=name or "attachment"))

    @property
    def size(self):
        return self.file.size


@dataclass
class Checked:
    filename: str
    extension: str
    content_type: str
    incoming: Incoming


def allowed_extensions():
    return list(settings.HELPDESK_ATTACHMENT_TYPES)


def max_bytes():
    return settings.HELPDESK_ATTACHMENT_MAX_BYTES


def max_files():
    return settings.HELPDESK_ATTACHMENT_MAX_FILES


def accept_attribute():
    """For ``<input type=file accept=…>``: a hint to the browser, checked again here."""
    return ",".join(f".{ext}" for ext in allowed_extensions())


def limits_text():
    return _("Up to %(n)d files, each at most %(size)s: %(types)s.") % {
        "n": max_files(),
        "size": filesizeformat(max_bytes()),
        "types": ", ".join(allowed_extensions()),
    }


def safe_filename(name, extension):
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    stem = os.path.splitext(base)[0]
    try:
        stem = get_valid_filename(stem)[:120]
    except Exception:  # get_valid_filename refuses names that end up empty
        stem = ""
    return f"{stem or 'attachment'}.{extension}"


def _head(file):
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    return head if isinstance(head, bytes) else head.encode("utf-8", "replace")


def check_one(incoming):
    """The checked file or a HelpdeskError naming the file and the rule it breaks."""
    name = os.path.basename((incoming.name or "").replace("\\", "/")) or _("(no name)")
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if extension not in allowed_extensions():
        raise HelpdeskError(
            _("“%(name)s”: this file type is not accepted. Allowed: %(types)s.")
            % {"name": name, "types": ", ".join(allowed_extensions())},
            field=FIELD,
        )
    size = incoming.size or 0
    if size <= 0:
        raise HelpdeskError(_("“%(name)s” is empty.") % {"name": name}, field=FIELD)
    if size > max_bytes():
        raise HelpdeskError(
            _("“%(name)s” is too large (%(size)s; at most %(max)s).")
            % {"name": name, **_sizes(size, max_bytes())},
            field=FIELD,
        )
    content_type = CONTENT_TYPES.get(extension, "application/octet-stream")
    head = _head(incoming.file)
    guessed = filetype.guess_mime(head)
    if extension in TEXT_EXTENSIONS:
        matches = guessed is None and b"\x00" not in head
    elif extension in CONTENT_TYPES:
        matches = guessed == content_type
    else:
        matches = True
    if not matches:
        raise HelpdeskError(
            _("“%(name)s” does not contain what its name says (.%(ext)s).")
            % {"name": name, "ext": extension},
            field=FIELD,
        )
    return Checked(safe_filename(name, extension), extension, content_type, incoming)


def check(files):
    """Check every file (an ``Incoming`` or an uploaded file) against the limits; raises
    HelpdeskError on the first violation."""
    files = [
        f if isinstance(f, Incoming) else Incoming.from_upload(f)
        for f in (files or [])
        if f is not None
    ]
    if len(files) > max_files():
        raise HelpdeskError(
            _("Please attach at most %(n)d files.") % {"n": max_files()}, field=FIELD
        )
    return [check_one(f) for f in files]


def store(message, checked):
    """Save checked files for ``message``. If saving fails half-way, the files already
    written are removed again (the caller's transaction rolls the rows back)."""
    from .models import Attachment

    rows = []
    try:
        for item in checked:
            attachment = Attachment(
                message=message,
                filename=item.filename,
                content_type=item.content_type,
                size=item.incoming.size,
            )
            item.incoming.file.seek(0)
            attachment.file.save(item.filename, item.incoming.file, save=False)
            rows.append(attachment)
        Attachment.objects.bulk_create(rows)
    except Exception:
        delete_files([row.file.name for row in rows])
        raise
    return rows


def delete_files(names):
    """Remove stored files (after the rows that pointed at them are gone)."""
    for name in names:
        if name:
            try:
                _storage.delete(name)
            except OSError:
                pass


def delete_files_on_commit(names):
    names = [n for n in names if n]
    if names:
        transaction.on_commit(lambda: delete_files(names))


def download_response(attachment):
    """The file as a download (never shown inline, never sniffed as something else, not
    cached). Callers check the permission first."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
