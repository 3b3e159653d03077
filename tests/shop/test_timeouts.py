"""Every network call has a timeout (issue 19 §1): broker, cache, SMTP, IMAP, database.

Each dependency is played by a real server that accepts the connection and then says
nothing — the case a missing timeout turns into a request (or worker) that hangs for ever.
"""

import select
import socket
import threading
import time

import psycopg
import pytest
from django.core.cache import cache
from django.db import OperationalError, close_old_connections, connection, connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from helpdesk import inbound
from shop import mail
from shop.cache import breaker as cache_breaker
from shop.celery import broker as broker_breaker
from shop.celery import hand_off
from shop.middleware import StatementTimeoutMiddleware
from shop.models import OutboxEmail
from shop.tasks import send_outbox_email
from tests.processes import celery_on_broker, private_redis

SLACK = 1.5  # seconds on top of a configured timeout: a bound, not a benchmark


class SilentServer:
    """Accepts TCP connections and never sends a byte (a hung SMTP/IMAP server)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        for conn in self.accepted:
            conn.close()
        self.sock.close()


@pytest.fixture
def silent_server():
    server = SilentServer()
    yield server
    server.close()


@pytest.mark.django_db
def test_smtp_that_never_answers_fails_the_attempt_within_email_timeout(settings, silent_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 0.5
    row = OutboxEmail.objects.create(
        to=["a@example.com"], subject="Hi", body_text="Hello", next_attempt_at=timezone.now()
    )
    started = time.monotonic()
    status = mail.send_now(row.pk)
    assert time.monotonic() - started < settings.EMAIL_TIMEOUT + SLACK
    row.refresh_from_db()
    assert status == OutboxEmail.Status.PENDING and row.attempts == 1
    assert "timed out" in row.last_error.lower()


def test_email_timeout_is_configured():
    from django.conf import settings

    assert 0 < settings.EMAIL_TIMEOUT <= 60


def test_imap_server_that_never_answers_fails_the_poll_within_imap_timeout(settings, silent_server):
    settings.IMAP_TIMEOUT = 0.5
    started = time.monotonic()
    with pytest.raises((TimeoutError, OSError)):
        inbound.poll_mailbox(f"imap://shop:secret@127.0.0.1:{silent_server.port}/INBOX")
    assert time.monotonic() - started < settings.IMAP_TIMEOUT + SLACK


def statement_timeout_seen_by_view(path):
    def view(request):
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            return HttpResponse(cursor.fetchone()[0])

    return StatementTimeoutMiddleware(view)(RequestFactory().get(path)).content.decode()


@pytest.mark.django_db
def test_storefront_requests_run_with_the_statement_timeout_backoffice_without(settings):
    settings.STOREFRONT_STATEMENT_TIMEOUT = 5
    assert statement_timeout_seen_by_view("/products/") == "5s"
    assert statement_timeout_seen_by_view("/checkout/") == "5s"
    # The backoffice (exports, reports) is not limited by it, nor is a storefront setting
    # left behind on a reused connection.
    assert statement_timeout_seen_by_view("/backoffice/vouchers/campaign/") == "0"
    settings.STOREFRONT_STATEMENT_TIMEOUT = 0
    assert statement_timeout_seen_by_view("/products/") == "0"


@pytest.mark.django_db
def test_a_hanging_storefront_statement_is_cancelled(settings):
    settings.STOREFRONT_STATEMENT_TIMEOUT = 0.2

    def view(request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")
        return HttpResponse("never")

    started = time.monotonic()
    with pytest.raises(OperationalError, match="statement timeout"):
        StatementTimeoutMiddleware(view)(RequestFactory().get("/products/"))
    assert time.monotonic() - started < 0.2 + SLACK


def test_database_connections_have_a_connect_timeout():
    options = connection.settings_dict["OPTIONS"]
    assert 2 <= options["connect_timeout"] <= 30


@pytest.mark.django_db(transaction=True)
def test_hand_off_to_a_hung_broker_gives_up_within_the_broker_timeout(settings):
    settings.BROKER_TIMEOUT = 1
    with private_redis() as redis_server, celery_on_broker(redis_server.url(), settings):
        assert hand_off(send_outbox_email, 0) is True  # answers: queued
        redis_server.pause()
        try:
            started = time.monotonic()
            assert hand_off(send_outbox_email, 0) is False
            assert time.monotonic() - started < settings.BROKER_TIMEOUT + SLACK
            # The breaker is open now: the next hand-offs do not even try.
            started = time.monotonic()
            assert hand_off(send_outbox_email, 0) is False
            assert time.monotonic() - started < 0.1
        finally:
            redis_server.resume()
        broker_breaker.reset()  # (BROKER_RETRY_AFTER later)
        assert hand_off(send_outbox_email, 0) is True


def test_a_hung_cache_answers_like_a_miss_and_is_skipped_for_a_while(settings):
    with private_redis() as redis_server:
        settings.CACHES = {
            "default": {
                "BACKEND": "shop.cache.RedisCache",
                "LOCATION": redis_server.url(),
                "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
            }
        }
        cache.set("key", "value")
        assert cache.get("key") == "value"
        redis_server.pause()
        try:
            started = time.monotonic()
            assert cache.get("key", "default") == "default"
            assert time.monotonic() - started < 0.5 + SLACK
            started = time.monotonic()
            cache.set("other", 1)
            assert cache.add("third", 1) is False
            assert cache.get_or_set("fourth", 4) == 4
            assert time.monotonic() - started < 0.1  # skipped: no second timeout
        finally:
            redis_server.resume()
        cache_breaker.reset()  # (REDIS_RETRY_AFTER later)
        assert cache.get("key") == "value"


@pytest.mark.django_db(transaction=True)
def test_a_persistent_connection_is_given_its_statement_timeout_once(settings):
    """Outside a transaction a SET lasts as long as the connection: it is sent again only
    when the limit changes (or the connection is a new one)."""
    from shop import db

    settings.STOREFRONT_STATEMENT_TIMEOUT = 5
    sent = []

    def counting(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    assert statement_timeout_seen_by_view("/products/") == "5s"
    driver = connection.connection
    before = db._timeouts.get(driver)
    assert before == 5000
    with connection.execute_wrapper(counting):
        assert statement_timeout_seen_by_view("/checkout/") == "5s"
    assert sent == ["SHOW statement_timeout"]  # no SET: the connection has the limit
    assert statement_timeout_seen_by_view("/backoffice/vouchers/campaign/") == "0"
    assert statement_timeout_seen_by_view("/products/") == "5s"
    connection.close()  # a new connection starts with the database default: set again
    assert statement_timeout_seen_by_view("/products/") == "5s"


def end_connection_from_outside(wrapper):
    """What a restart of PostgreSQL does to a kept connection: the server ends it."""
    pid = wrapper.connection.info.backend_pid
    settings = wrapper.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while not select.select([wrapper.connection.pgconn.socket], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "the server did not end the connection"
    return pid


@pytest.mark.django_db(transaction=True)
def test_the_first_request_after_a_database_restart_gets_a_new_connection(client):
    """Production keeps connections (CONN_MAX_AGE) and checks them (CONN_HEALTH_CHECKS). A
    restart of PostgreSQL ends them all; the next request of each worker must not fail, also
    when it is the first to change the statement timeout (storefront <-> backoffice), which
    the middleware sets before the request's first query."""
    saved = {k: connection.settings_dict[k] for k in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
    connection.close()
    try:
        for first, second in (("/", "/backoffice/login/"), ("/backoffice/login/", "/cart/")):
            close_old_connections()  # request_started (the test client leaves it out)
            assert client.get(first).status_code == 200
            pid = end_connection_from_outside(connection)
            close_old_connections()
            assert client.get(second).status_code == 200, second
            assert connection.connection.info.backend_pid != pid
    finally:
        connection.settings_dict.update(saved)
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_quiet_kept_connection_is_not_asked_select_1(monkeypatch):
    """The health check costs no round trip while the server has said nothing: a kept,
    idle connection is used as it is; one the server ended is asked, fails and is replaced
    before the request's first query (shop/postgresql/base.py)."""
    asked = []
    wrapper = connections["default"]
    assert type(wrapper).__module__ == "shop.postgresql.base"
    real = wrapper.is_usable
    monkeypatch.setattr(wrapper, "is_usable", lambda: asked.append(1) or real())
    saved = {k: connection.settings_dict[k] for k in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
    connection.close()
    try:
        connection.ensure_connection()
        kept = connection.connection
        for _request in range(3):
            close_old_connections()  # request_started: the check is due again
            connection.close_if_health_check_failed()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        assert asked == [] and connection.connection is kept

        pid = end_connection_from_outside(connection)
        close_old_connections()
        connection.close_if_health_check_failed()
        assert asked == [1] and connection.connection is None  # asked, failed, closed
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != pid
    finally:
        connection.settings_dict.update(saved)
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_tests_flush_runs_without_the_storefront_timeout(settings):
    """The flush after a transactional test (a TRUNCATE of every table) must not inherit the
    limit of the last storefront request: it failed under 5 s on a slow machine."""
    from tests.conftest import reset_statement_timeout_for_flush

    settings.STOREFRONT_STATEMENT_TIMEOUT = 5
    assert statement_timeout_seen_by_view("/products/") == "5s"
    reset_statement_timeout_for_flush()
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
