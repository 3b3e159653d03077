"""Proving the access log: chain verification and the daily digest of the head.

The chain is verified from the genesis (or the newest purge's anchor) to the head. A
witness outside the database is the daily *digest* — the newest entry's id, hash and time,
e-mailed to the data protection officer and written to the application log. Whoever holds
an old digest can prove later that the chain still contains that entry::

    manage.py verify_access_log --digest 3f5a…   (or --digest digest-mail.txt)
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.db import snapshot
from shop.mail import queue_staff_email

from ..errors import PrivacyError
from ..models import GENESIS_HASH, AccessLogAnchor, AccessLogEntry, AccessLogHead
from .log import canonical_payload, chain_hash

log = logging.getLogger("privacy.access_log")

HASH_RE = re.compile(r"\b[0-9a-f]{64}\b")
ENTRY_RE = re.compile(r"#(\d+)\b")
FIELDS = ("id", "time", "user_id", "username", "action", "subjects", "path", "ip", "note")


@dataclass(frozen=True)
class Digest:
    entry_id: int | None
    hash: str
    time: datetime | None = None

    def __str__(self):
        when = f", {self.time.isoformat(timespec='seconds')}" if self.time else ""
        entry = f"#{self.entry_id} " if self.entry_id else ""
        return f"access-log entry {entry}{self.hash}{when}"


def head_digest():
    """The newest entry as a :class:`Digest`, or None while the log is empty."""
    head = AccessLogHead.objects.filter(pk=1).first()
    if head is None or not head.last_id:
        return None
    return Digest(head.last_id, head.last_hash, head.last_time)


def parse_digest(value):
    """A digest from ``value``: a hash, or a file holding one (e.g. the digest e-mail)."""
    value = (value or "").strip()
    text = value.lower()
    if not HASH_RE.fullmatch(text):
        path = Path(value)
        try:
            text = path.read_text(errors="replace")
        except OSError as exc:
            raise PrivacyError(
                _("%(value)s is neither a hash (64 hex digits) nor a readable file.")
                % {"value": value}
            ) from exc
    hashes = HASH_RE.findall(text.lower())
    if len(set(hashes)) != 1:
        raise PrivacyError(_("The digest must contain exactly one hash (64 hex digits)."))
    entry = ENTRY_RE.search(text)
    return Digest(int(entry.group(1)) if entry else None, hashes[0])


def send_digest():
    """Daily: e-mail the head's digest to the data protection officer and log it."""
    digest = head_digest()
    if digest is None:
        log.info("access-log digest: the log is empty")
        return None
    log.info("access-log digest: %s", digest)
    queue_staff_email(  # the officer's backoffice language, if they have an account
        "privacy_access_log_digest",
        settings.DATA_PROTECTION_EMAIL,
        {
            "entry_id": digest.entry_id,
            "hash": digest.hash,
            "time": digest.time,
            "shop_url": settings.SITE_URL,
        },
    )
    return digest


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    bad_id: int | None = None
    message: str = ""
    digest_found: bool | None = None
    digest_entry: int | None = None  # the id of the digest's entry, when found


def verify_chain(digest=None):
    """Walk the chain from the genesis (or the last purge's anchor) to the head; with a
    ``digest``, the chain must also still contain that entry."""
    with snapshot():  # one snapshot for head and entries, while appends go on
        result = _verify(digest)
    if result.ok and digest is not None and not result.digest_found:
        result.ok = False
        result.message = _missing_digest_message(digest)
    return result


def _missing_digest_message(digest):
    anchor = AccessLogAnchor.objects.order_by("-id").first()
    if digest.entry_id and anchor and digest.entry_id <= anchor.last_purged_id:
        return (
            f"entry #{digest.entry_id} was removed by the retention purge of "
            f"{timezone.localtime(anchor.time):%Y-%m-%d} (entries older than "
            f"{timezone.localtime(anchor.cutoff):%Y-%m-%d}); it can no longer be proven"
        )
    return f"the chain does not contain {digest}"


def _verify(digest):
    anchor = AccessLogAnchor.objects.order_by("-id").first()
    expected = anchor.last_purged_hash if anchor else GENESIS_HASH
    head = AccessLogHead.objects.filter(pk=1).first()
    checked, last_id, found, found_id = 0, None, None if digest is None else False, None
    rows = AccessLogEntry.objects.order_by("id").values_list(*FIELDS, "prev_hash", "hash")
    for row in rows.iterator(chunk_size=5000):
        pk, prev_hash, stored = row[0], row[-2], row[-1]
        if anchor and checked == 0 and pk <= anchor.last_purged_id:
            return VerifyResult(False, checked, pk, f"entry #{pk} should have been purged")
        if prev_hash != expected:
            return VerifyResult(
                False, checked, pk, f"entry #{pk}: the previous entry is missing or was altered"
            )
        values = dict(zip(FIELDS[1:], row[1:-2], strict=True))
        if chain_hash(prev_hash, canonical_payload(**values)) != stored:
            return VerifyResult(False, checked, pk, f"entry #{pk}: content altered")
        if digest is not None and stored == digest.hash:
            found, found_id = digest.entry_id in (None, pk), pk
        expected, last_id = stored, pk
        checked += 1
    if head is not None and (head.last_hash != expected or (last_id or 0) != head.last_id):
        where = f"after entry #{last_id}" if last_id else "at the start"
        return VerifyResult(False, checked, last_id, f"entries are missing {where}")
    return VerifyResult(True, checked, digest_found=found, digest_entry=found_id)
