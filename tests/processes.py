"""Real processes for robustness tests: a private ``redis-server`` the test may pause
(SIGSTOP: it keeps accepting connections but never answers — a hung broker or cache) and a
real ``celery worker`` the test may kill (SIGKILL)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, proc, port):
        self.proc, self.port = proc, port

    def url(self, db=0):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def pause(self):
        """The server keeps its socket (connections are accepted by the kernel) but does
        not answer any more: what a saturated or half-dead Redis looks like."""
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.proc.pid, signal.SIGCONT)

    def client(self, db=0):
        import redis

        return redis.Redis.from_url(self.url(db), socket_timeout=5, socket_connect_timeout=5)


@contextmanager
def private_redis():
    """A redis-server of this test alone on a free port, without persistence."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (make test / .ci/run install it)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = RedisServer(proc, port)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                if server.client().ping():
                    break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield server
    finally:
        server.resume()  # a stopped process ignores SIGTERM until it runs again
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_database_url():
    """The URL of the database this test runs on (the test database), for subprocesses."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def start_worker(broker_url, var_dir, *, pool="solo", name="worker", env=None):
    """Start ``celery -A shop worker`` on ``broker_url`` against the test database. Its log
    is ``var_dir/<name>.log``; e-mails go to ``var_dir/mail`` as .eml files. The worker runs
    in its own process group, so a test can kill it with its pool processes."""
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "VAR_DIR": str(var_dir),
        "EMAIL_URL": "",
        "DJANGO_SETTINGS_MODULE": "shop.settings",
        **(env or {}),
    }
    log = open(Path(var_dir) / f"{name}.log", "w")  # noqa: SIM115 (closed in stop_worker)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "shop",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            "-n",
            f"{name}-{os.getpid()}-{time.monotonic_ns()}@%h",
        ],
        cwd=BASE_DIR,
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    proc.log_file = log
    proc.log_path = Path(var_dir) / f"{name}.log"
    return proc


def kill_worker(proc):
    """SIGKILL the worker and its pool processes: no shutdown, no acknowledgement."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def stop_worker(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kill_worker(proc)
    proc.log_file.close()


@contextmanager
def running_worker(broker_url, var_dir, **options):
    """``start_worker`` for a ``with`` block: the worker is stopped (or, if the test killed
    it, reaped) however the block ends."""
    proc = start_worker(broker_url, var_dir, **options)
    try:
        yield proc
    finally:
        stop_worker(proc)


def worker_log(proc):
    return proc.log_path.read_text()


def wait_for(condition, timeout, interval=0.1, message="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def reset_broker_connections():
    """Forget pooled broker connections and the breaker, so the next publish connects anew."""
    from kombu import pools

    from shop.celery import app, broker

    pools.reset()  # closes and forgets kombu's global connection and producer pools
    app._pool = None
    app.amqp._producer_pool = None
    broker.reset()


@contextmanager
def celery_on_broker(url, settings):
    """This test process hands tasks to the broker at ``url`` instead of running them
    eagerly (``settings`` is pytest-django's fixture: /healthz reads CELERY_BROKER_URL)."""
    from shop.celery import app

    old = {k: app.conf.get(k) for k in ("broker_url", "broker_write_url", "task_always_eager")}
    app.conf.update(broker_url=url, broker_write_url=None, task_always_eager=False)
    settings.CELERY_BROKER_URL = url
    reset_broker_connections()
    try:
        yield app
    finally:
        app.conf.update(**old)
        reset_broker_connections()
