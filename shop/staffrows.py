"""A staff member's own rows — the user and the second-factor device — kept in each web
process and read again only after a staff row changed (issue 28).

Every backoffice request read them: two of the three queries of a page that shows nothing
(the session is the third) and about three quarters of the Python such a request costs.
Each process now keeps them under the **staff version**: a counter row (``shop_staff_version``,
shop/0041) that triggers move on every change of a staff user, of a second-factor device, of
a group, of a group's or user's permissions, in the transaction of the change
(``shop_staff_changed()``; the triggers: shop/0041 for the devices, customers/0023 for the
users, groups and permissions). The session query reads the counter along with the session
(``shop.sessions``: no round trip of its own).

**Never stale.** The counter is a row of the changing transaction, not a sequence: a request
that reads the new count also reads the new rows, and a request that read the old count
keeps what it loads under the old count, which no later request asks for once the change is
visible. That holds for every writer — the backoffice, a Celery task, raw SQL in a shell.
A deactivated, demoted or deleted staff member, a changed password (the session's hash) or a
removed device counts on the next request, as before.

Only staff users are kept: customers' rows change too often (logins, addresses) to share one
counter, and a customer's request reads its row as before. Each request gets its own
instance, built from the kept values without a query (``Model.from_db``): nothing a request
sets on its user (the permission cache, ``otp_device``) reaches another request.
"""

import threading
from collections import OrderedDict

from asgiref.local import Local
from django.db import DEFAULT_DB_ALIAS, connections

from .db import in_transaction

TABLE = "shop_staff_version"
# The staff version as a column of another query (the session's, shop.sessions).
VERSION_SQL = f"(SELECT value FROM {TABLE} WHERE id = 1)"
MAX_ENTRIES = 500  # users and devices per process; the least recently used go first


def statement_trigger(table):
    """The trigger (SQL) that moves the staff version on every change of ``table`` (the
    migrations of shop and customers put it on their tables)."""
    return (
        f"CREATE TRIGGER {table}_staff_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION shop_staff_changed()"
    )


def drop_statement_trigger(table):
    return f"DROP TRIGGER IF EXISTS {table}_staff_changed ON {table}"


_request = Local()
_kept = OrderedDict()  # {(kind, key): (version, model class, field names, values)}
_lock = threading.Lock()


def open_request():
    _request.active = True
    _request.version = None


def close_request():
    _request.active = False
    _request.version = None


def seen_version(current):
    """The staff version, read with the session (None: no counter row, nothing is kept)."""
    _request.version = current


def version(using=DEFAULT_DB_ALIAS):
    """The staff version this web request read with its session, or None: outside a web
    request, inside a transaction (it reads the rows of now), or on another database."""
    if (
        using != DEFAULT_DB_ALIAS
        or not getattr(_request, "active", False)
        or connections[using].vendor != "postgresql"
        or in_transaction(using)
    ):
        return None
    return getattr(_request, "version", None)


def kept(kind, key, load, keep=lambda obj: True, using=DEFAULT_DB_ALIAS):
    """The row ``load()`` returns, from this process's memory while the staff version is the
    one it was loaded under. ``keep(obj)`` says whether a loaded row may be kept (only staff
    users). Returns a new instance each time."""
    current = version(using)
    if current is None:
        return load()
    with _lock:
        hit = _kept.get((kind, key))
        if hit is not None and hit[0] == current:
            _kept.move_to_end((kind, key))
    if hit is not None and hit[0] == current:
        _version, model, names, values = hit
        return model.from_db(using, names, values)
    obj = load()
    if obj is not None and keep(obj):
        model = type(obj)
        names = [f.attname for f in model._meta.concrete_fields]
        entry = (current, model, names, [getattr(obj, name) for name in names])
        with _lock:
            _kept[(kind, key)] = entry
            _kept.move_to_end((kind, key))
            while len(_kept) > MAX_ENTRIES:
                _kept.popitem(last=False)
    return obj


def forget():
    """Drop every kept row (the tests: a rolled-back test moves the counter back)."""
    with _lock:
        _kept.clear()
