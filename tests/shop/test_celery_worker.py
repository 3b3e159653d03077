"""One end-to-end run through a real Celery worker and a real Redis broker (no eager mode):
the outbox row is committed, the task goes through Redis, the worker process sends the
e-mail with the development backend (an .eml file) and marks the row sent."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from shop.celery import app
from shop.models import OutboxEmail
from tests.processes import reset_broker_connections

BASE_DIR = Path(__file__).resolve().parent.parent.parent
BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/1")


def _test_database_url():
    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _redis_available():
    import redis

    try:
        return redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def _reset_connections():
    """Forget pooled broker connections so the next send connects to the current broker
    (closing app._pool alone would leave kombu's global pool group holding a closed pool,
    which a later publish to the same broker would then find)."""
    reset_broker_connections()


@pytest.fixture
def real_broker():
    """Switch this process from eager mode to the Redis broker for one test."""
    if not _redis_available():
        pytest.fail(f"Redis is not reachable at {BROKER} (make test starts it)")
    old = {k: app.conf.get(k) for k in ("broker_url", "broker_write_url", "task_always_eager")}
    app.conf.update(broker_url=BROKER, broker_write_url=None, task_always_eager=False)
    _reset_connections()
    with app.connection_for_write() as conn:  # drop leftovers of earlier runs
        conn.default_channel.queue_purge("celery")
    yield
    app.conf.update(**old)
    _reset_connections()


@pytest.fixture
def worker(real_broker, tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": BROKER,
        "VAR_DIR": str(tmp_path),
        "EMAIL_URL": "",
        "DJANGO_SETTINGS_MODULE": "shop.settings",
    }
    log = open(tmp_path / "worker.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "shop",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield proc, tmp_path
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_delivers_order_confirmation(worker, make_order):
    proc, var_dir = worker
    order = make_order(email="worker@example.com")  # commits; on_commit → Redis → worker
    email = OutboxEmail.objects.get(template="order_confirmation", to=[order.email])
    deadline = time.monotonic() + 60
    status = None
    while time.monotonic() < deadline:
        status = OutboxEmail.objects.filter(pk=email.pk).values_list("status", flat=True)[0]
        if status != OutboxEmail.Status.PENDING or proc.poll() is not None:
            break
        time.sleep(0.3)
    log = (var_dir / "worker.log").read_text()
    assert status == OutboxEmail.Status.SENT, f"worker did not send the e-mail:\n{log[-4000:]}"
    files = list((var_dir / "mail").glob(f"*-{email.pk}.eml"))
    assert len(files) == 1
    raw = files[0].read_text()
    assert "To: worker@example.com" in raw
    assert f"Subject: Your order {order.number}" in raw
    assert "shop.tasks.send_outbox_email" in log
