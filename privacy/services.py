"""Access log, retention purge, chain verification and disclosures (SPEC S11).

Recording from your own backoffice view (when the automatic capture can't see what the
page shows, e.g. a view returning a plain HttpResponse or a PDF built from several rows)::

    from privacy.services import record
    record(request, "print", ["customer:12", "order:345"])

Within a request this only collects: the AccessLogMiddleware writes ONE row when the
response is done. Outside a request (commands, tasks) use :func:`write_entry`.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.clientip import client_ip, normalise_ip
from shop.db import is_postgresql, set_transaction_setting, snapshot, table

from .errors import PrivacyError
from .models import GENESIS_HASH, AccessLogAnchor, AccessLogEntry, AccessLogHead, Disclosure

Action = AccessLogEntry.Action
MAX_SUBJECTS = 5000  # a CSV export of more rows is recorded with its first 5000 references


# --- the chain ------------------------------------------------------------------------------


def canonical_payload(*, time, user_id, username, action, subjects, path, ip, note):
    """The hashed content of an entry: sorted-key, ASCII-only JSON (same bytes in SQL)."""
    return json.dumps(
        {
            "time": time.astimezone(UTC).isoformat(timespec="microseconds"),
            "user": user_id,
            "username": username,
            "action": action,
            "subjects": subjects,
            "path": path,
            "ip": ip,
            "note": note,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )


def chain_hash(prev_hash, payload):
    return hashlib.sha256((prev_hash + payload).encode("ascii")).hexdigest()


def entry_hash(entry, prev_hash=None):
    payload = canonical_payload(
        time=entry.time,
        user_id=entry.user_id,
        username=entry.username,
        action=entry.action,
        subjects=entry.subjects,
        path=entry.path,
        ip=entry.ip,
        note=entry.note,
    )
    return chain_hash(entry.prev_hash if prev_hash is None else prev_hash, payload)


_PG_APPEND = """
WITH head AS (
    INSERT INTO {head} (id, prev_hash, last_hash)
    VALUES (1, %(genesis)s, encode(sha256(convert_to(%(genesis)s || %(payload)s, 'UTF8')), 'hex'))
    ON CONFLICT (id) DO UPDATE SET
        prev_hash = {head}.last_hash,
        last_hash = encode(sha256(convert_to({head}.last_hash || %(payload)s, 'UTF8')), 'hex')
    RETURNING prev_hash, last_hash
)
INSERT INTO {entry} (time, user_id, username, action, subjects, path, ip, note, prev_hash, hash)
SELECT %(time)s, %(user_id)s, %(username)s, %(action)s, %(subjects)s::jsonb, %(path)s, %(ip)s,
       %(note)s, head.prev_hash, head.last_hash
FROM head
RETURNING id
"""


def write_entry(*, user=None, username=None, action, subjects=(), path="", ip="", note=""):
    """Append one entry to the chain; returns its id.

    On PostgreSQL this is ONE statement: upserting the head row takes its row lock, so
    concurrent appends queue up and each one chains onto the committed previous hash.
    """
    if action not in Action.values:
        raise PrivacyError(_("Unknown access-log action %(a)s.") % {"a": action})
    subjects = [str(s) for s in subjects][:MAX_SUBJECTS]
    values = {
        "time": timezone.now(),
        "user_id": getattr(user, "pk", None),
        "username": (username or getattr(user, "email", "") or "")[:254],
        "action": action,
        "subjects": subjects,
        "path": (path or "")[:500],
        "ip": normalise_ip(ip),
        "note": (note or "")[:500],
    }
    payload = canonical_payload(**values)
    if is_postgresql():
        sql = _PG_APPEND.format(head=table(AccessLogHead), entry=table(AccessLogEntry))
        params = {**values, "subjects": json.dumps(subjects)}
        params.update(genesis=GENESIS_HASH, payload=payload)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]
    # The embedded SQLite default: writers are serialised by the database file lock.
    with transaction.atomic():
        head, _created = AccessLogHead.objects.select_for_update().get_or_create(pk=1)
        prev = head.last_hash
        digest = chain_hash(prev, payload)
        entry = AccessLogEntry.objects.create(prev_hash=prev, hash=digest, **values)
        AccessLogHead.objects.filter(pk=1).update(prev_hash=prev, last_hash=digest)
        return entry.pk


@dataclass
class Collector:
    """What one request showed; the middleware writes it as one entry."""

    action: str | None = None
    subjects: list = field(default_factory=list)
    note: str = ""

    @property
    def explicit(self):
        return self.action is not None

    def add(self, action, subjects, note=""):
        # The most specific action wins: a printed list is a print, not a list.
        rank = [Action.LIST, Action.SEARCH, Action.DETAIL, Action.CHANGE, Action.EXPORT]
        rank += [Action.PRINT]
        if self.action is None or (action in rank and rank.index(action) > rank.index(self.action)):
            self.action = action
        for ref in subjects:
            if ref and ref not in self.subjects:
                self.subjects.append(ref)
        if note:
            self.note = f"{self.note}; {note}" if self.note else note


def record(request, action, subjects, note=""):
    """Record that this request showed ``subjects`` (see module docstring)."""
    collector = getattr(request, "_access_log", None)
    if collector is not None:
        collector.add(action, subjects, note)
        return None
    return write_entry(
        user=request.user,
        action=action,
        subjects=subjects,
        path=request.get_full_path(),
        ip=client_ip(request),
        note=note,
    )


# --- retention ------------------------------------------------------------------------------


def retention_days():
    return settings.ACCESS_LOG_RETENTION_DAYS


def purge_access_log(days=None, *, username="retention purge"):
    """Delete entries older than ``days`` (default: ACCESS_LOG_RETENTION_DAYS); the purge is
    itself logged, and an anchor keeps the remaining chain verifiable. Returns the count."""
    days = retention_days() if days is None else days
    if days is None or int(days) < 1:
        raise PrivacyError(_("The retention period must be at least one day."))
    cutoff = timezone.now() - timedelta(days=int(days))
    with transaction.atomic():
        # Hold the head row: no append may slip in between the delete and the anchor.
        AccessLogHead.objects.select_for_update().get_or_create(pk=1)
        last = (
            AccessLogEntry.objects.filter(time__lt=cutoff)
            .order_by("-id")
            .values("id", "hash")
            .first()
        )
        count = 0
        if last:
            set_transaction_setting("privacy.purge", "on")
            count, _detail = AccessLogEntry.objects.filter(id__lte=last["id"]).delete()
            set_transaction_setting("privacy.purge", "off")
            AccessLogAnchor.objects.create(
                cutoff=cutoff,
                last_purged_id=last["id"],
                last_purged_hash=last["hash"],
                purged=count,
            )
        write_entry(
            username=username,
            action=Action.PURGE,
            note=f"purged {count} entries older than {cutoff.isoformat(timespec='seconds')}",
            path="manage.py purge_access_log",
        )
    return count


# --- verification ---------------------------------------------------------------------------


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    bad_id: int | None = None
    message: str = ""


def verify_chain():
    """Walk the chain from the genesis (or the last purge's anchor) to the head."""
    with snapshot():  # one snapshot for head and entries, while appends go on
        return _verify()


def _verify():
    anchor = AccessLogAnchor.objects.order_by("-id").first()
    expected = anchor.last_purged_hash if anchor else GENESIS_HASH
    checked = 0
    head = AccessLogHead.objects.filter(pk=1).first()
    last_id = None
    for entry in AccessLogEntry.objects.order_by("id").iterator(chunk_size=2000):
        if anchor and checked == 0 and entry.pk <= anchor.last_purged_id:
            return VerifyResult(
                False, checked, entry.pk, f"entry #{entry.pk} should have been purged"
            )
        if entry.prev_hash != expected:
            return VerifyResult(
                False,
                checked,
                entry.pk,
                f"entry #{entry.pk}: the previous entry is missing or was altered",
            )
        if entry_hash(entry) != entry.hash:
            return VerifyResult(False, checked, entry.pk, f"entry #{entry.pk}: content altered")
        expected = entry.hash
        last_id = entry.pk
        checked += 1
    if head is not None and head.last_hash != expected:
        where = f"after entry #{last_id}" if last_id else "at the start"
        return VerifyResult(False, checked, last_id, f"entries are missing {where}")
    return VerifyResult(True, checked)


# --- disclosures ----------------------------------------------------------------------------


DISCLOSURE_FIELDS = ("date", "recipient", "scope")


def log_change(request, subjects, note):
    """A change is written at once, in the transaction of the change itself."""
    return write_entry(
        user=request.user,
        action=Action.CHANGE,
        subjects=subjects,
        path=request.get_full_path(),
        ip=client_ip(request),
        note=note,
    )


def _describe(disclosure):
    return f"{disclosure.date} {disclosure.recipient}: {disclosure.scope}"[:400]


def add_disclosure(request, subject, *, date, recipient, scope):
    from .subjects import resolve

    person = resolve(subject)
    if not recipient.strip() or not scope.strip():
        raise PrivacyError(_("Recipient and scope are required."))
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            subject=person.ref,
            subject_name=person.name,
            date=date,
            recipient=recipient.strip(),
            scope=scope.strip(),
            created_by=request.user,
        )
        log_change(
            request,
            [person.ref, f"privacy.disclosure:{disclosure.pk}"],
            note=f"disclosure added: {_describe(disclosure)}",
        )
    return disclosure


def change_disclosure(request, disclosure, *, date, recipient, scope):
    if not recipient.strip() or not scope.strip():
        raise PrivacyError(_("Recipient and scope are required."))
    with transaction.atomic():
        locked = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
        before = _describe(locked)
        locked.date, locked.recipient, locked.scope = date, recipient.strip(), scope.strip()
        locked.save()
        log_change(
            request,
            [locked.subject, f"privacy.disclosure:{locked.pk}"],
            note=f"disclosure changed from [{before}] to [{_describe(locked)}]"[:500],
        )
    return locked


def delete_disclosure(request, disclosure):
    with transaction.atomic():
        pk, subject, text = disclosure.pk, disclosure.subject, _describe(disclosure)
        disclosure.delete()
        log_change(
            request,
            [subject, f"privacy.disclosure:{pk}"],
            note=f"disclosure deleted: {text}",
        )
