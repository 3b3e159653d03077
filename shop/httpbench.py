"""``manage.py bench --http``: the shop through gunicorn, driven by locust (issue 28).

The whole stack as a customer meets it — gunicorn (workers = 2 × cores + 1), the production
settings (``SHOP_ENV=production``, ``DEBUG=false``, WhiteNoise, Redis cache, every
middleware, the access log), templates and static files — measured against the limit of that
same stack: a bare view behind the same middleware. Each row runs one locust user class
(``bench/locustfile.py``) headless for a fixed time with no think time and is judged on its
ratio to the bare view's requests/s, so a slower or busier machine moves both figures and not
the verdict; the guest checkout also runs offered the target's 40 journeys/s, for its p95 at
that load (``Row.offered``).

The soak (``--soak SECONDS``) runs the mixed journey at 80 % of the measured maximum with one
Celery worker and reports latency per minute, memory per gunicorn worker, PostgreSQL
connections and the outbox backlog at start and end.

Nothing here runs inside the web processes: this module starts them (``Stack``), feeds
locust its paths and ids (``prepare``), reads locust's JSON statistics (``Stats``) and prints
the table (``print_http_table``).
"""

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
LOCUSTFILE = BASE_DIR / "bench" / "locustfile.py"
JOURNEY = "guest checkout journey"
JOURNEY_EMAIL = "bench-journey@example.invalid"
WARM_UP_SECONDS = 5  # of the mixed journey before the first row (not measured)
BENCH_SESSION_EXTRA = 365 * 24 * 60 * 60  # seconds the bench's sessions outlive the shop's


@dataclass(frozen=True)
class Row:
    """One line of the HTTP table: a locust user class and what it is judged on.

    ``ratio``: the least share of the bare view's requests/s (None: no ratio target);
    ``rate`` / ``p95``: absolute targets (journeys/s, ms) where the issue sets them;
    ``offered``: the row runs at this load (per second, paced by locust's
    ``constant_throughput`` over its users) instead of flat out, and must keep up with it.

    A latency target is judged at its load, not flat out: with no think time a closed loop of
    N users keeps N requests in the stack, so a flat-out row's latency is N ÷ its rate (Little's
    law) — twice the users, twice the p95, same shop.
    """

    label: str
    user: str
    entry: str
    ratio: float | None = None
    rate: float | None = None
    p95: float | None = None
    unit: str = "req/s"
    offered: float | None = None


KEEP_UP = 0.975  # a paced row keeps up when it made this share of the load it was offered


ROWS = [
    Row("Bare view (the stack's limit)", "BareView", "bare view"),
    Row("Home", "Home", "home"),
    Row("Category list", "Category", "category", ratio=0.40),
    Row("Product page", "Product", "product page", ratio=0.50),
    Row("Search", "Search", "search"),
    Row("Cart", "Cart", "cart", ratio=0.40),
    # "≥ 40 journeys/s with p95 ≤ 250 ms": the capacity flat out, the latency at that load.
    Row("Guest checkout journey", "Checkout", JOURNEY, rate=40, unit="journeys/s"),
    Row("Guest checkout at 40/s", "Checkout", JOURNEY, p95=250, unit="journeys/s", offered=40),
    # No target: what every backoffice page costs before its own work (session, user, 2FA).
    Row("Backoffice floor (no page)", "BackofficeFloor", "backoffice floor"),
    Row("Backoffice orders list", "BackofficeOrders", "backoffice orders list", ratio=0.25),
    Row("Backoffice order detail", "BackofficeOrder", "backoffice order detail"),
    Row("Backoffice customer search", "BackofficeCustomers", "backoffice customer search"),
    Row("Static CSS (WhiteNoise)", "StaticCss", "static css"),
]


def percentile_of(response_times, count, p):
    """The p-th percentile of locust's ``{rounded ms: count}`` histogram."""
    if not count:
        return None
    wanted = count * p / 100
    seen = 0
    for ms in sorted(response_times, key=float):
        seen += response_times[ms]
        if seen >= wanted:
            return float(ms)
    return float(max(response_times, key=float))


@dataclass
class Stats:
    """One row's figures from locust's JSON statistics."""

    requests: int = 0
    rps: float = 0.0
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    errors: int = 0
    error_text: str = ""
    rss: float | None = None  # the soak's minutes: mean RSS of a gunicorn worker (MiB)

    @classmethod
    def from_locust(cls, entries, name, duration, failures=()):
        """``entries``: locust's ``--json-file`` list; ``name``: the entry of the row; errors
        count every failed request of the run (a journey's steps too)."""
        errors = sum(e.get("num_failures", 0) for e in entries)
        text = "; ".join(f"{f.get('name')}: {f.get('error')}" for f in failures)[:120]
        if errors and not text:
            text = f"{errors} failed requests"
        entry = next((e for e in entries if e.get("name") == name), None)
        if entry is None:
            return cls(errors=errors, error_text=text or "no requests")
        count = entry["num_requests"]
        times = entry.get("response_times", {})
        span = (entry.get("last_request_timestamp") or 0) - (entry.get("start_time") or 0)
        span = span if span > 0.5 else duration
        return cls(
            requests=count,
            rps=count / span if span else 0.0,
            p50=percentile_of(times, count, 50),
            p95=percentile_of(times, count, 95),
            p99=percentile_of(times, count, 99),
            errors=errors,
            error_text=text,
        )


@dataclass
class Result:
    row: Row
    stats: Stats
    ratio: float | None = None
    baseline: float | None = None  # req/s of the bare view around this row
    verdict: str = ""
    notes: list = field(default_factory=list)


def judge(results):
    """Ratio and verdict of every row. The first row is the bare view; each other row is
    divided by its ``baseline`` (the bare view measured right before and after it, so a
    change of the machine's other load during the run moves both) or, without one, by the
    bare row."""
    bare = results[0].stats.rps if results else 0
    misses = 0
    for result in results:
        row, stats = result.row, result.stats
        base = result.baseline or bare
        result.ratio = stats.rps / base if base else None
        reasons = []
        if stats.errors or not stats.requests:
            reasons.append(f"{stats.errors} errors" if stats.requests else "no requests")
        if row.ratio is not None and (result.ratio is None or result.ratio < row.ratio):
            reasons.append("ratio")
        if row.rate is not None and stats.rps < row.rate:
            reasons.append("rate")
        if row.offered is not None and stats.rps < row.offered * KEEP_UP:
            reasons.append("did not keep up")
        if row.p95 is not None and (stats.p95 is None or stats.p95 > row.p95):
            reasons.append("p95")
        result.verdict = "MISS" if reasons else "ok"
        result.notes = reasons
        misses += bool(reasons)
    return misses


def target_text(row):
    parts = [f"at {row.offered:g}/s"] if row.offered is not None else []
    if row.ratio is not None:
        parts.append(f"≥ {row.ratio:.0%}")
    if row.rate is not None:
        parts.append(f"≥ {row.rate:g}/s")
    if row.p95 is not None:
        parts.append(f"p95 ≤ {row.p95:g}")
    return ", ".join(parts) or "0 errors"


def format_table(results):
    """The table as lines (``judge`` first)."""

    def ms(value):
        return "—" if value is None else f"{value:.0f}"

    header = (
        f"{'row':<30} {'rate':>15} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} "
        f"{'bare /s':>8} {'ratio':>6} {'target':>20}  verdict"
    )
    lines = [header, "-" * len(header)]
    for result in results:
        row, stats = result.row, result.stats
        unit = "/s" if row.unit == "req/s" else " j/s"
        ratio = "—" if result.ratio is None else f"{result.ratio:.0%}"
        base = "—" if result.baseline is None else f"{result.baseline:.0f}"
        verdict = result.verdict
        if result.notes:
            verdict += f" ({', '.join(result.notes)})"
        if stats.error_text and stats.errors:
            verdict += f" {stats.error_text}"
        lines.append(
            f"{row.label:<30} {stats.rps:>13.1f}{unit:<2} {ms(stats.p50):>7} {ms(stats.p95):>7} "
            f"{ms(stats.p99):>7} {stats.errors:>6} {base:>8} {ratio:>6} {target_text(row):>20}  "
            f"{verdict}"
        )
    return lines


# --- the stack: gunicorn (and a Celery worker for the soak) with the production settings ---


def database_url():
    """The URL of the database this process uses (in tests: the test database)."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


def production_env(redis_url, var_dir):
    """The environment of the web and worker processes: production settings on this
    database and ``redis_url`` (cache and Celery broker). The SECRET_KEY is this process's,
    so the staff session written here is valid there."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LOCUST_"))}
    env.update(
        SHOP_ENV="production",
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        CACHE_KEY_PREFIX="bench",
        VAR_DIR=str(var_dir),
        STATIC_ROOT=str(var_dir / "staticfiles"),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PRIVATE_MEDIA_ROOT=str(settings.PRIVATE_MEDIA_ROOT),
        BENCH_BARE_VIEW="true",
        # The sessions this stack writes (the run's guests) outlive every other by a year:
        # the clean-up deletes them and nothing else (delete_guest_sessions).
        SESSION_COOKIE_AGE=str(settings.SESSION_COOKIE_AGE + BENCH_SESSION_EXTRA),
        LOG_LEVEL="ERROR",
        PYTHONUNBUFFERED="1",
    )
    env.pop("EMAIL_URL", None)  # the worker writes mail to VAR_DIR/mail, never to a server
    env.pop("MIGRATE_DATABASE_URL", None)
    return env


def rss_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def children(pid):
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


class Stack:
    """gunicorn on ``port`` (and, on request, one Celery worker), stopped on exit — also on
    Ctrl-C or a failure (``with Stack(...) as stack``)."""

    def __init__(self, port, workers, env, var_dir, write):
        self.port = port
        self.workers = workers
        self.env = env
        self.var_dir = var_dir
        self.write = write
        self.gunicorn = None
        self.celery = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def _spawn(self, args, log):
        # A session of its own: Ctrl-C in the terminal reaches this command, which then stops
        # the server in order, instead of killing workers mid-request.
        return subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start(self):
        log = open(self.var_dir / "gunicorn.log", "ab")  # noqa: SIM115 (closed with the process)
        self.gunicorn = self._spawn(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "shop.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--access-logfile",
                str(self.var_dir / "access.log"),
                "--graceful-timeout",
                "10",
            ],
            log,
        )
        log.close()
        self.wait_healthy()

    def wait_healthy(self, timeout=60):
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.gunicorn.returncode}: see "
                    f"{self.var_dir / 'gunicorn.log'}"
                )
            request = urllib.request.Request(
                self.base + "/healthz", headers={"X-Forwarded-Proto": "https"}
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200 and len(self.worker_pids()) >= self.workers:
                        return
            except (urllib.error.URLError, OSError) as exc:
                last = str(exc)
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout} s ({last})")

    def worker_pids(self):
        return children(self.gunicorn.pid) if self.gunicorn else []

    def worker_rss(self):
        """``{pid: RSS in MiB}`` of the gunicorn workers."""
        return {
            pid: round(kib / 1024, 1)
            for pid in self.worker_pids()
            if (kib := rss_kib(pid)) is not None
        }

    def start_celery(self):
        log = open(self.var_dir / "celery.log", "ab")  # noqa: SIM115
        self.celery = self._spawn(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "shop",
                "worker",
                "--concurrency",
                "1",
                "--pool",
                "solo",
                "--loglevel",
                "WARNING",
            ],
            log,
        )
        log.close()

    @staticmethod
    def _stop(process, timeout):
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # gunicorn and Celery: finish, then exit
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def stop(self):
        self._stop(self.celery, 30)
        self._stop(self.gunicorn, 20)


def collect_static(env, write):
    """``collectstatic`` with the production storage (hashed, compressed files), as a deploy
    does — skipped while the collected files are newer than every file under ``static/`` —;
    returns the manifest (original name → hashed name)."""
    manifest = Path(env["STATIC_ROOT"]) / "staticfiles.json"
    sources = [p.stat().st_mtime for d in settings.STATICFILES_DIRS for p in Path(d).rglob("*")]
    if manifest.exists() and manifest.stat().st_mtime > max(sources, default=0):
        return json.loads(manifest.read_text())["paths"]
    write("collectstatic (production storage) …")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    manifest = Path(env["STATIC_ROOT"]) / "staticfiles.json"
    return json.loads(manifest.read_text())["paths"]


def run_locust(user, config, host, seconds, users, rate=None):
    """One headless locust run of ``user``; returns (entries, failures): locust's JSON
    statistics and its failures (``[{"name", "error", "occurrences"}]``).

    ``rate``: tasks per second per user (locust's ``constant_throughput``). The users then
    start spread over one period (1 ÷ rate), so their tasks arrive evenly spaced — as k6's
    "constant arrival rate" starts its iterations — and not all at once: started together,
    ten users paced at 4/s sent ten journeys in the same few milliseconds every 250 ms."""
    spawn_rate = users * rate if rate else max(users, 1) * 10
    with tempfile.TemporaryDirectory(prefix="shop-locust-") as tmp:
        prefix = Path(tmp) / "run"
        args = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            host,
            "--users",
            str(users),
            "--spawn-rate",
            f"{spawn_rate:.4f}",
            "--run-time",
            f"{max(1, round(seconds))}s",
            "--stop-timeout",
            "5",
            "--reset-stats",
            "--only-summary",
            "--skip-log-setup",
            "--loglevel",
            "ERROR",
            "--json-file",
            str(prefix),
            "--csv",
            str(prefix),
            "--exit-code-on-error",
            "0",
            user,
        ]
        env = {**os.environ, "SHOP_LOCUST_CONFIG": json.dumps(config)}
        if rate:
            env["SHOP_LOCUST_RATE"] = f"{rate:.4f}"
        proc = subprocess.run(args, env=env, capture_output=True, text=True, cwd=BASE_DIR)
        stats_file = prefix.with_suffix(".json")
        if proc.returncode != 0 or not stats_file.exists():
            raise RuntimeError(
                f"locust {user} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}"
            )
        entries = json.loads(stats_file.read_text())
        failures = []
        failures_file = Path(f"{prefix}_failures.csv")
        if failures_file.exists():
            with failures_file.open(newline="") as f:
                failures = [
                    {"name": r["Name"], "error": r["Error"], "occurrences": r["Occurrences"]}
                    for r in csv.DictReader(f)
                ]
    return entries, failures


# --- what locust needs from the database, and the run ---------------------------------------


def staff_session():
    """A backoffice session of the bench's staff member with the second factor done: what
    the login and the TOTP step (shop.twofactor) leave in the session, written directly."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .bench import Bench

    user = Bench._staff()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Bench", confirmed=True)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "customers.backends.ShopUserBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return store


def prepare(manifest, port):
    """The paths and ids of locust's config (see ``bench/locustfile.py``), or a CommandError
    naming what is missing."""
    from django.core.management.base import CommandError
    from django.urls import reverse

    from .discovery import app_modules
    from .models import Category, PaymentMethod, Product, ShippingMethod

    product = (
        Product.objects.active()
        .filter(is_giftcard=False, is_downloadable=False, stock__isnull=True)
        .select_related("category")
        .order_by("pk")
        .first()
    )
    shipping = ShippingMethod.objects.filter(is_active=True).order_by("pk").first()
    payment = PaymentMethod.objects.filter(kind="card", is_active=True).order_by("pk").first()
    if product is None or shipping is None or payment is None:
        raise CommandError(
            "No data for the HTTP bench (a product without stock limit, a shipping and a card "
            "payment method): run `manage.py seed_demo` (and seed_scale) first."
        )
    category = product.category or Category.objects.order_by("pk").first()
    css = manifest.get("css/shop.css")
    config = {
        "host": "127.0.0.1",
        "base": f"https://127.0.0.1:{port}",
        "bare": "/bench/bare",
        "staff_floor": reverse("admin:bench_floor"),
        "home": reverse("shop:home"),
        "category": reverse("shop:category", args=[category.slug]),
        "product": reverse("shop:product", args=[product.slug]),
        "search": reverse("shop:products") + "?q=roasted+coffee&max_price=500",
        "cart": reverse("shop:cart"),
        "css": settings.STATIC_URL + (css or "css/shop.css"),
        "product_id": product.pk,
        "shipping_method": shipping.pk,
        "payment_method": payment.pk,
        "session_cookie": settings.SESSION_COOKIE_NAME,
    }
    # The backoffice pages come from the apps above (``http_config()`` in their
    # benchmarks.py): the orders list and an order, the customer search.
    for _config, module in app_modules("benchmarks"):
        if hasattr(module, "http_config"):
            config.update(module.http_config())
    missing = [k for k in ("orders", "order", "customers") if not config.get(k)]
    if missing:
        raise CommandError(
            f"No data for the backoffice rows ({', '.join(missing)}): run `manage.py "
            "seed_demo` (and seed_scale) first."
        )
    return config


def database_connections():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def outbox_backlog():
    from .models import OutboxEmail

    return OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING).count()


def merged(entries, exclude=("TASK",)):
    """All request entries of a run folded into one (the soak's latency of the whole mix)."""
    times, count, failures = {}, 0, 0
    start, last = None, 0
    for e in entries:
        if e.get("method") in exclude or e.get("method") == "JOURNEY":
            continue
        count += e["num_requests"]
        failures += e["num_failures"]
        for ms, n in e.get("response_times", {}).items():
            times[ms] = times.get(ms, 0) + n
        start = min(start or e["start_time"], e["start_time"])
        last = max(last, e.get("last_request_timestamp") or 0)
    return {
        "name": "all",
        "num_requests": count,
        "num_failures": failures,
        "response_times": times,
        "start_time": start or 0,
        "last_request_timestamp": last,
    }


def task_rate(entries, seconds):
    entry = next((e for e in entries if e.get("method") == "TASK"), None)
    return entry["num_requests"] / seconds if entry else 0.0


class HttpBench:
    """``manage.py bench --http`` (and ``--soak``): see the module's docstring."""

    def __init__(self, *, port, workers, users, seconds, redis_url, only, write, interleave=True):
        self.interleave = interleave  # the bare view between every two rows (quick: not)
        self.port = port
        self.workers = workers or 2 * (os.cpu_count() or 1) + 1
        self.users = users or 2 * self.workers
        self.seconds = seconds
        self.redis_url = redis_url
        self.only = [s.strip().lower() for s in only.split(",") if s.strip()]
        self.write = write
        self.var_dir = BASE_DIR / "var" / "bench"

    def rows(self):
        return [
            row
            for i, row in enumerate(ROWS)
            if i == 0 or not self.only or any(s in row.label.lower() for s in self.only)
        ]

    def run(self, soak=0):

        self.var_dir.mkdir(parents=True, exist_ok=True)
        env = production_env(self.redis_url, self.var_dir)
        manifest = collect_static(env, self.write)
        config = prepare(manifest, self.port)
        session = staff_session()
        config["staff_session"] = session.session_key
        self.vacuum()
        started = time.time()
        load_before = os.getloadavg()[0]
        try:
            with Stack(self.port, self.workers, env, self.var_dir, self.write) as stack:
                self.write(
                    f"gunicorn: {self.workers} workers on {stack.base}, locust: {self.users} "
                    f"users, {self.seconds:g} s per row"
                )
                results = self.measure(config, stack)
                misses = judge(results)
                self.write("")
                for line in format_table(results):
                    self.write(line)
                self.write(
                    f"\n{len(results)} rows, {misses} missed; load average before: "
                    f"{load_before:.2f}, after: {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores"
                )
                if soak:
                    # The soak starts from a clean outbox: the table's journeys are gone.
                    self.cleanup(env, started, keep=session.session_key)
                    self.vacuum()
                    self.soak(stack, config, soak)
        finally:
            session.delete()
            self.cleanup(env, started)
            self.vacuum()
        return results, misses

    def vacuum(self):
        """VACUUM (ANALYZE) the tables the run's journeys write and its clean-up deletes from
        (sessions, the outbox and the apps' ``http_tables()``), before the run and after its
        clean-up: every run starts from the same tables, whatever ran before. On a server
        with autovacuum off (as on the CI machines) each run left its dead rows to the next:
        after four runs the sessions table held 16,417 dead rows beside 306 live ones."""
        from django.contrib.sessions.models import Session

        from .db import is_postgresql
        from .discovery import app_modules
        from .models import OutboxEmail

        if not is_postgresql() or connection.in_atomic_block:
            return
        tables = [Session._meta.db_table, OutboxEmail._meta.db_table]
        for _config, module in app_modules("benchmarks"):
            if hasattr(module, "http_tables"):
                tables += module.http_tables()
        names = ", ".join(connection.ops.quote_name(name) for name in tables)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {names}")

    def cleanup(self, env, started, keep=None):
        """Delete what the run's guests left: their orders and e-mails (the apps'
        ``http_cleanup``), their sessions, the e-mails handed to the broker."""
        from .discovery import app_modules

        self.delete_guest_sessions(started, keep)
        for _config, module in app_modules("benchmarks"):
            if hasattr(module, "http_cleanup"):
                module.http_cleanup(JOURNEY_EMAIL, started)
        self.purge_broker(env)

    def measure(self, config, stack):
        """Every row, each between two runs of the bare view (its baseline: their mean),
        after a warm-up that is not measured: a few seconds of the mixed journey, so that
        every worker has loaded what the rows reach (imports, templates, translations, URL
        patterns of each language) before the first row counts — a row measures the stack
        as it runs all day, not a worker's first requests."""
        warm_up = min(WARM_UP_SECONDS, self.seconds)
        self.write(f"  warm-up: {warm_up:g} s of the mixed journey (not measured)")
        run_locust("Mixed", config, stack.base, warm_up, self.users)

        def run(row):
            rate = row.offered / self.users if row.offered else None  # per user
            entries, failures = run_locust(
                row.user, config, stack.base, self.seconds, self.users, rate=rate
            )
            return entries, Stats.from_locust(entries, row.entry, self.seconds, failures)

        bare_row, *rows = self.rows()
        bare_entries, bare_runs, results = [], [], []
        entries, stats = run(bare_row)
        bare_entries += entries
        bare_runs.append(stats)
        measured = []
        for i, row in enumerate(rows):
            _entries, stats = run(row)
            measured.append((row, stats, len(bare_runs) - 1))
            if self.interleave or i == len(rows) - 1:
                entries, after = run(bare_row)
                bare_entries += entries
                bare_runs.append(after)
            self.write(f"  {row.label}: {stats.rps:.1f}/s, {stats.errors} errors")
        for row, stats, before in measured:
            # The bare runs right before and after the row (quick: the first and the last).
            after = before + 1 if self.interleave else len(bare_runs) - 1
            baseline = (bare_runs[before].rps + bare_runs[after].rps) / 2
            results.append(Result(row, stats, baseline=baseline))
        # The bare row: all its runs together (mean rate, percentiles of every request).
        bare = Stats.from_locust([merged(bare_entries)], "all", self.seconds)
        bare.rps = sum(b.rps for b in bare_runs) / len(bare_runs)
        bare.errors = sum(b.errors for b in bare_runs)
        bare.error_text = "; ".join(b.error_text for b in bare_runs if b.error_text)[:120]
        return [Result(bare_row, bare), *results]

    @staticmethod
    def delete_guest_sessions(started, keep=None):
        """The sessions the bench's stack wrote (the run's guests' carts and journeys): they
        expire a year later than any session of the shop's own processes (production_env),
        so a customer or operator who used the same database during the run keeps theirs."""
        from datetime import UTC, datetime, timedelta

        from django.contrib.sessions.models import Session

        since = datetime.fromtimestamp(started, tz=UTC) - timedelta(seconds=5)
        age = settings.SESSION_COOKIE_AGE + BENCH_SESSION_EXTRA
        Session.objects.filter(expire_date__gte=since + timedelta(seconds=age)).exclude(
            session_key=keep
        ).delete()

    @staticmethod
    def purge_broker(env):
        """The confirmation e-mails the journeys handed to Celery belong to orders the
        clean-up deleted: drop them from the bench's broker."""
        subprocess.run(
            [sys.executable, "-m", "celery", "-A", "shop", "purge", "-f"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
        )

    def soak(self, stack, config, seconds):
        """The mixed journey at 80 % of its measured maximum for ``seconds`` with one Celery
        worker: latency per minute, memory per worker, connections, outbox backlog.

        The maximum is measured as the soak runs: with the worker already sending the
        confirmations (each with its PDF) on the same cores. Measured without it, 80 % of
        that maximum plus the worker was all of a slow machine's two cores, and the soak
        measured a queue instead of a steady shop."""
        stack.start_celery()
        time.sleep(3)
        probe = max(10, min(30, self.seconds))
        entries, _ = run_locust("Mixed", config, stack.base, probe, self.users)
        top = task_rate(entries, probe)
        rate = 0.8 * top / self.users
        all_max = Stats.from_locust([merged(entries)], "all", probe)
        self.write(
            f"\nSoak: mixed journey, maximum {top:.1f} tasks/s ({all_max.rps:.0f} req/s) with "
            f"one Celery worker; running at 80 % = {0.8 * top:.1f} tasks/s for {seconds} s"
        )
        time.sleep(5)  # the worker catches up with the maximum run's mail
        start = self.snapshot(stack)
        minutes = []
        left = seconds
        while left > 0:
            chunk = min(60, left)
            entries, failures = run_locust("Mixed", config, stack.base, chunk, self.users, rate)
            stats = Stats.from_locust([merged(entries)], "all", chunk, failures)
            rss = stack.worker_rss()
            stats.rss = sum(rss.values()) / len(rss) if rss else 0.0
            minutes.append(stats)
            left -= chunk
            self.write(
                f"  minute {len(minutes)}: {stats.rps:.0f} req/s, p50 {stats.p50} ms, "
                f"p95 {stats.p95} ms, p99 {stats.p99} ms, {stats.errors} errors, "
                f"RSS {stats.rss:.0f} MiB per worker"
            )
        time.sleep(5)  # the worker catches up with the last minute's mail
        end = self.snapshot(stack)
        for line in soak_report(minutes, start, end):
            self.write(line)
        return minutes, start, end

    def snapshot(self, stack):
        return {
            "rss": stack.worker_rss(),
            "connections": database_connections(),
            "outbox": outbox_backlog(),
        }


def soak_report(minutes, start, end):
    lines = [
        "",
        f"{'minute':>6} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} "
        f"{'RSS MiB':>8}",
    ]
    for i, s in enumerate(minutes, 1):
        lines.append(
            f"{i:>6} {s.rps:>8.1f} {s.p50 or 0:>7.0f} {s.p95 or 0:>7.0f} {s.p99 or 0:>7.0f} "
            f"{s.errors:>6} {s.rss or 0:>8.0f}"
        )
    rss_start = " ".join(f"{v:.0f}" for v in start["rss"].values())
    rss_end = " ".join(f"{v:.0f}" for v in end["rss"].values())
    lines += [
        f"RSS per worker (MiB), start: {rss_start}; end: {rss_end}",
        f"PostgreSQL connections, start: {start['connections']}; end: {end['connections']}",
        f"Outbox backlog (pending e-mails), start: {start['outbox']}; end: {end['outbox']}",
    ]
    return lines
