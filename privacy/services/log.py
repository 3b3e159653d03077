"""Writing the access log: the hash chain, one entry per request (SPEC S11).

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
from datetime import UTC

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.clientip import client_ip, normalise_ip
from shop.db import is_postgresql

from ..errors import PrivacyError
from ..models import AccessLogEntry, AccessLogHead

Action = AccessLogEntry.Action
TIME_KEY = '"time":"'


def canonical_payload(*, time, user_id, username, action, subjects, path, ip, note):
    """The hashed content of an entry: sorted-key, ASCII-only JSON (same bytes in SQL)."""
    return json.dumps(
        {
            "time": canonical_time(time),
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


def canonical_time(time):
    """``2026-03-01T12:00:00.000000+00:00``: what privacy_accesslog_append writes with
    ``to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00'``."""
    return time.astimezone(UTC).isoformat(timespec="microseconds")


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


def split_payload(payload, time):
    """The payload around its time: the database puts the entry's final time in between."""
    start = payload.index(TIME_KEY) + len(TIME_KEY)
    end = start + len(canonical_time(time))
    return payload[:start], payload[end:]


def entry_values(*, user=None, username=None, action, subjects=(), path="", ip="", note=""):
    if action not in Action.values:
        raise PrivacyError(_("Unknown access-log action %(a)s.") % {"a": action})
    return {
        "time": timezone.now(),
        "user_id": getattr(user, "pk", None),
        "username": (username or getattr(user, "email", "") or "")[:254],
        "action": action,
        # Every reference, however many: an export of 10,000 orders must be found by the
        # access report of each of their buyers (the GIN index on ``subjects`` finds it).
        "subjects": [str(s) for s in subjects],
        "path": (path or "")[:500],
        "ip": normalise_ip(ip),
        "note": (note or "")[:500],
    }


_PG_APPEND = (
    "SELECT privacy_accesslog_append(%(time)s, %(user_id)s, %(username)s, %(action)s, "
    "%(subjects)s::jsonb, %(path)s, %(ip)s, %(note)s, %(before)s, %(after)s)"
)


def write_entry(**kwargs):
    """Append one entry to the chain; returns its id.

    On PostgreSQL this is ONE statement, ``privacy_accesslog_append`` (privacy/0005): it
    locks the head row, so concurrent appends queue up and each one chains onto the
    committed previous hash; the entry's time is never earlier than the newest entry's.
    The web and worker role needs no write privilege on the log tables for it.
    """
    values = entry_values(**kwargs)
    payload = canonical_payload(**values)
    if is_postgresql():
        before, after = split_payload(payload, values["time"])
        params = {**values, "subjects": json.dumps(values["subjects"])}
        params.update(before=before, after=after)
        with connection.cursor() as cursor:
            cursor.execute(_PG_APPEND, params)
            return cursor.fetchone()[0]
    # The embedded SQLite default: writers are serialised by the database file lock.
    with transaction.atomic():
        head, _created = AccessLogHead.objects.select_for_update().get_or_create(pk=1)
        if head.last_time and head.last_time > values["time"]:
            values["time"] = head.last_time
            payload = canonical_payload(**values)
        digest = chain_hash(head.last_hash, payload)
        entry = AccessLogEntry.objects.create(prev_hash=head.last_hash, hash=digest, **values)
        AccessLogHead.objects.filter(pk=1).update(
            prev_hash=head.last_hash, last_hash=digest, last_id=entry.pk, last_time=entry.time
        )
        return entry.pk


@dataclass
class Collector:
    """What one request showed; the middleware writes it as one entry."""

    action: str | None = None
    subjects: list = field(default_factory=list)
    note: str = ""
    # The references already in ``subjects``: an export adds tens of thousands at once.
    _seen: set = field(default_factory=set, init=False, repr=False, compare=False)

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
            if ref and ref not in self._seen:
                self._seen.add(ref)
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
