"""The session store: PostgreSQL, as ``django.contrib.sessions.backends.db``, in fewer round
trips (issue 28).

Django's store asks whether a new random key exists before it writes the session, and wraps
each single-row write in a transaction of its own (BEGIN, the write, COMMIT): four round trips
to start a guest's session, three for each change. Here a new key is written at once (a
collision of 32 random characters is refused by the primary key: ``CreateError``, and
``create()`` draws another key) and each write is one statement — atomic by itself, inside a
savepoint only where a transaction is already open (a failed statement must not break it).
A change of a session that was deleted meanwhile (a logout in another tab) still raises
``UpdateError``, as Django's store does.

A web request reads its session, the storefront version (``shop.pagecache``) and the staff
version (``shop.staffrows``) in one round trip — a backoffice request also the versions of the
kept lists (``shop.keptlists.read_along``): the versions come with the session row, for the
rest of the request."""

from contextlib import nullcontext

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from . import keptlists, pagecache, staffrows


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        using = router.db_for_read(self.model)
        if not pagecache.wants_version(using):
            return super()._get_session_from_db()
        table = connections[using].ops.quote_name(self.model._meta.db_table)
        lists = keptlists.along_sql()
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT last_value FROM {pagecache.SEQUENCE}), "
                f"{staffrows.VERSION_SQL}, "
                + "".join(f"{sql}, " for _label, sql in lists)
                + "s.session_data, s.expire_date "
                f"FROM (SELECT 1) AS one LEFT JOIN {table} AS s "
                "ON s.session_key = %s AND s.expire_date > %s",
                [self.session_key or "", timezone.now()],
            )
            version, staff_version, *counts, data, expires = cursor.fetchone()
        pagecache.seen_version(version)
        staffrows.seen_version(staff_version)
        if lists:
            keptlists.seen_versions(
                {label: n for (label, _sql), n in zip(lists, counts, strict=True)}
            )
        if data is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=data, expire_date=expires)

    def _get_new_session_key(self):
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        data = self._get_session(no_load=must_create)
        obj = self.create_model_instance(data)
        using = router.db_for_write(self.model, instance=obj)
        if must_create:
            try:
                with _statement(using):
                    obj.save(force_insert=True, using=using)
            except IntegrityError:
                raise CreateError from None
            return
        with _statement(using):
            rows = (
                self.model._base_manager.using(using)
                .filter(session_key=obj.session_key)
                .update(session_data=obj.session_data, expire_date=obj.expire_date)
            )
        if not rows:
            raise UpdateError


def _statement(using):
    """One statement: a savepoint inside an open transaction, nothing around it otherwise."""
    return transaction.atomic(using=using) if connections[using].in_atomic_block else nullcontext()
