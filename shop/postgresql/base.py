"""Django's PostgreSQL backend, with a health check that costs no round trip (issue 28).

With persistent connections (``CONN_MAX_AGE``) and ``CONN_HEALTH_CHECKS``, Django asks the
server ``SELECT 1`` before the first query of every request: one round trip per page, the
largest single wait of a guest's checkout under load. When the server ends a connection (a
restart, ``pg_terminate_backend``, an idle timeout) it sends its reason and closes the socket,
so a connection it ended has something to read. Here the check first looks at the socket,
without any I/O: an idle connection with nothing waiting is one the server has not ended and
is used as it is; anything waiting (that end, a notice) gets Django's ``SELECT 1``, which
replaces a connection that fails it. A server that vanished without a word (a power cut) is
found by neither check in advance: the request fails and Django closes the connection.
"""

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and self.quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def quiet(self):
        """True if the connection is open and idle and the server sent nothing since its
        last answer (nothing to read on the socket)."""
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        pgconn = connection.pgconn
        if (
            pgconn.status != pq.ConnStatus.OK
            or pgconn.transaction_status != pq.TransactionStatus.IDLE
        ):
            return False
        try:
            poller = select.poll()
            poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        except (AttributeError, OSError, ValueError, psycopg.OperationalError):
            return False  # no poll() on this system, or no socket: ask the server
