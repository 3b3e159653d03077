"""The harness of ``manage.py bench``: timing helpers and the result table.

Each app measures its own screens and jobs in ``<app>/benchmarks.py``, a ``run(bench)``
function that gets a :class:`Bench` and adds rows with :meth:`Bench.row` or
:meth:`Bench.time_get`. Page timings go through Django's test client with a logged-in
superuser (server time, no network). Bulk jobs run inside a transaction that is rolled back,
so the data set stays as it was; the tables they touch are named with :meth:`Bench.touched`
and vacuumed at the end.

Same-run baselines (issue 28): absolute targets do not survive a change of machine, so each
row names the closest baseline, measured in the same run with no application code — the
bare view for pages (``bare``), a bare indexed ``SELECT … LIMIT 50`` of the same table for
backoffice pages (``select:<table>``), raw COPY for bulk writes (``copy``), an empty
transaction of ``place_order``'s size for checkout (``tx``; ``tx32`` with 32 clients), one
bare INSERT for an append (``insert``), a fixed pure-Python loop for CPU-bound work
(``cpu``) — and is judged on its ratio to it. The ratio's target is the absolute target
divided by that baseline on the reference machine (``REFERENCE``): on the machine the
targets were set on both verdicts agree; on a slower one the baseline is slower too.
"""

import os
import statistics
import threading
import time

from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse

from .db import set_statement_timeout, vacuum

BENCH_EMAIL = "bench-staff@example.invalid"
BASELINE_TABLE = "bench_baseline_rows"

# The baselines on the reference machine, the 2-core machine SPEC S15's targets were set on:
# ms, except ``copy`` (ms per 1,000,000 rows) and ``tx32`` (transactions per second). The
# raw COPY is the quiet run of the README's S15 table; the others are the best of five runs
# of `manage.py bench --baselines` on the S15 scale data set (2026-11-30, load average about
# 7 from other work: a quiet machine is a little faster, so these verdicts are strict).
# Re-measure with `manage.py bench --baselines` when the targets move to another machine.
REFERENCE = {
    "bare": 0.38,
    "copy": 1470.0,
    "tx": 2.64,
    "tx32": 1560.0,
    "insert": 1.03,
    "cpu": 25.4,
    "select:orders_order": 0.84,
    "select:customers_user": 0.46,
    "select:vouchers_campaign": 0.14,
    "select:vouchers_code": 0.076,
    "select:giftcards_giftcard": 0.11,
    "select:helpdesk_thread": 0.34,
    "select:reviews_review": 0.19,
    "select:privacy_accesslogentry": 0.83,
}


class Rollback(Exception):
    """Raised inside ``transaction.atomic()`` to undo what a measurement wrote."""


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


class Bench:
    def __init__(self, quick=False, requests=None, only=""):
        self.quick = quick
        self.n = max(20, requests or 20)
        self.only = [s.strip().lower() for s in only.split(",") if s.strip()]
        self.rows = []
        self.row_baselines = {}  # row name -> baseline key
        self.copy_rows = {}  # row name -> rows written (rows judged against raw COPY)
        self.baselines = {}  # baseline key -> measured value (same unit as REFERENCE)
        self._vacuum = []
        self.staff = self._staff()
        self.client = Client()
        self.client.force_login(self.staff)

    def wanted(self, name):
        return not self.only or any(s in name.lower() for s in self.only)

    def touched(self, *models):
        """Tables a rolled-back bulk job wrote to: vacuumed after the run."""
        for model in models:
            if model not in self._vacuum:
                self._vacuum.append(model)

    @staticmethod
    def _staff():
        User = get_user_model()
        user = User.objects.filter(email=BENCH_EMAIL).first()
        if user is None:
            user = User.objects.create_superuser(BENCH_EMAIL, None, first_name="Bench")
        return user

    def row(
        self,
        name,
        value,
        target,
        unit="ms",
        queries="",
        lower_is_better=True,
        note="",
        baseline=None,
    ):
        if baseline is not None:
            self.row_baselines[name] = baseline
        if value is None:
            ok = False
        elif target is None:
            ok = None
        else:
            ok = value <= target if lower_is_better else value >= target
        self.rows.append((name, value, target, unit, queries, ok, note))

    def missing(self, name, target, note):
        """A row that could not be measured (page missing, no data): shown as a miss."""
        if self.wanted(name):
            self.rows.append((name, None, target, "ms", "", False, note))

    def time_get(self, name, url, target, client=None, baseline="bare"):
        """Median server time of GET ``url`` over ``n`` requests, after two warm-ups."""
        if not self.wanted(name):
            return
        if url is None:
            self.missing(name, target, "page missing")
            return
        client = client or self.client
        self.baseline(baseline)
        for _ in range(2):  # warm caches and connections
            response = client.get(url)
        if response.status_code != 200:
            self.missing(name, target, f"HTTP {response.status_code}")
            return
        connection.queries_log.clear()  # a full log (DEBUG) would hide new entries
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        query_count = len(ctx.captured_queries)
        times = []
        for _ in range(self.n):
            t = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t) * 1000)
        unlimit()
        self.row(
            name,
            statistics.median(times),
            target,
            queries=query_count,
            note=f"p95 {percentile(times, 95):.1f} ms",
            baseline=baseline,
        )

    def time_call(self, name, fn, target, repeat=None, note="", baseline=None):
        """Median milliseconds of ``fn()`` (each call inside its own rolled-back transaction
        when ``fn`` raises :class:`Rollback` itself)."""
        if not self.wanted(name):
            return
        self.baseline(baseline)
        times = []
        for _ in range(repeat or self.n):
            t = time.perf_counter()
            try:
                fn()
            except Rollback:
                pass
            times.append((time.perf_counter() - t) * 1000)
        self.row(
            name,
            statistics.median(times),
            target,
            note=note or f"p95 {percentile(times, 95):.1f} ms",
            baseline=baseline,
        )

    @staticmethod
    def admin_url(name, *args, query=""):
        try:
            return reverse(name, args=args) + query
        except NoReverseMatch:
            return None

    def time_admin_list(self, name, model, target=100, query="", kept=False):
        """A change list rendered for each request; ``kept=True``: as a repeated view gets it
        where the admin keeps its rendered list (shop.keptlists), no target of its own."""
        meta = model._meta
        url = self.admin_url(f"admin:{meta.app_label}_{meta.model_name}_changelist", query=query)
        if kept:
            self.time_get(name, url, None, baseline=f"select:{meta.db_table}")
            return
        with override_settings(BACKOFFICE_PAGE_ENTRIES=0):  # S15's target: the rendering
            self.time_get(name, url, target, baseline=f"select:{meta.db_table}")

    def time_admin_detail(self, name, model, pk, target=100):
        if pk is None:
            self.missing(name, target, "no data")
            return
        meta = model._meta
        self.time_get(
            name,
            self.admin_url(f"admin:{meta.app_label}_{meta.model_name}_change", pk),
            target,
            baseline=f"select:{meta.db_table}",
        )

    @staticmethod
    def latest_pk(model, **filters):
        return model.objects.filter(**filters).order_by("-pk").values_list("pk", flat=True).first()

    def vacuum(self):
        """The rolled-back bulk jobs leave millions of dead rows (a rolled-back COPY still
        wrote them); clean them up so the next run — and the shop — see the data set as it
        was, not a bloated one."""
        if self._vacuum:
            vacuum(*self._vacuum)

    # --- baselines ------------------------------------------------------------------------

    def baseline(self, key):
        """The value of baseline ``key`` in this run, measured the first time it is asked for
        (``copy`` and ``tx`` are set by the rows that know their size)."""
        if key is None:
            return None
        if key not in self.baselines:
            measure = None
            if key == "bare":
                measure = self._bare_view
            elif key.startswith("select:"):
                table = key.split(":", 1)[1]
                measure = lambda: self._bare_select(table)  # noqa: E731
            elif key == "insert":
                measure = self._bare_insert
            elif key == "cpu":
                measure = self._cpu
            if measure is None:
                return None
            self.baselines[key] = measure()
        return self.baselines[key]

    def _median_ms(self, fn, repeat=None):
        fn()  # warm up
        times = []
        for _ in range(repeat or max(self.n, 50)):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        return statistics.median(times)

    def _bare_view(self):
        """GET of the bare view (every middleware, no view work) through the test client."""
        from django.test import override_settings

        client = Client()
        with override_settings(BENCH_BARE_VIEW=True):
            value = self._median_ms(lambda: client.get("/bench/bare"))
        unlimit()
        return value

    def _bare_select(self, table):
        """A bare indexed ``SELECT * … ORDER BY id DESC LIMIT 50`` of ``table``, fetched."""
        quoted = connection.ops.quote_name(table)

        def select():
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT * FROM {quoted} ORDER BY id DESC LIMIT 50")
                cursor.fetchall()

        return self._median_ms(select)

    def _ensure_baseline_table(self):
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {BASELINE_TABLE} (id bigint generated by default "
                "as identity primary key, payload text NOT NULL, created timestamptz NOT NULL "
                "DEFAULT now())"
            )
        self._drop_baseline_table = True

    def _bare_insert(self):
        """One row INSERTed and committed (autocommit) into a bare logged table."""
        self._ensure_baseline_table()

        def insert():
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {BASELINE_TABLE} (payload) VALUES (%s)", ["x" * 200])

        return self._median_ms(insert)

    def empty_transaction(self, statements):
        """One transaction of ``statements`` single-row INSERTs into a bare table, committed:
        the size of a ``place_order`` without its application code."""
        self._ensure_baseline_table()
        with transaction.atomic():
            with connection.cursor() as cursor:
                for _ in range(statements):
                    cursor.execute(
                        f"INSERT INTO {BASELINE_TABLE} (payload) VALUES (%s)", ["x" * 200]
                    )

    def measure_tx(self, statements, repeat=None):
        """Baseline ``tx``: median ms of :meth:`empty_transaction`."""
        self.baselines["tx"] = self._median_ms(
            lambda: self.empty_transaction(statements), repeat=repeat
        )
        return self.baselines["tx"]

    def measure_tx32(self, statements, threads_n=32, per_thread=30):
        """Baseline ``tx32``: empty transactions per second with ``threads_n`` clients."""
        self._ensure_baseline_table()
        barrier = threading.Barrier(threads_n)

        def worker():
            try:
                barrier.wait()
                for _ in range(per_thread):
                    self.empty_transaction(statements)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(threads_n)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        self.baselines["tx32"] = threads_n * per_thread / (time.perf_counter() - t)
        return self.baselines["tx32"]

    @staticmethod
    def _cpu():
        """A fixed pure-Python loop: how fast this machine runs Python right now."""

        def loop():
            total = 0
            for i in range(300_000):
                total += i * i % 7
            return total

        t = time.perf_counter()
        loop()
        times = []
        for _ in range(9):
            t = time.perf_counter()
            loop()
            times.append((time.perf_counter() - t) * 1000)
        return statistics.median(times)

    def set_copy_baseline(self, seconds, rows):
        """Baseline ``copy``: the run's raw COPY, as ms per 1,000,000 rows."""
        if seconds is not None:
            self.baselines["copy"] = seconds * 1000 * 1_000_000 / rows

    def measure_reference(self, writes, runs=5, copy=None, write=print):
        """Every baseline ``runs`` times, the best of each: the values to put in
        ``REFERENCE`` on the machine the absolute targets are set on
        (``manage.py bench --baselines``). ``copy``: a function timing the raw COPY."""
        found = {}
        for run in range(runs):
            for key in REFERENCE:
                if key in ("copy", "tx", "tx32"):
                    continue
                self.baselines.pop(key, None)
                found.setdefault(key, []).append(self.baseline(key))
            found.setdefault("tx", []).append(self.measure_tx(writes))
            if run < 2:
                found.setdefault("tx32", []).append(self.measure_tx32(writes))
                if copy is not None:
                    self.set_copy_baseline(copy(), 1_000_000)
                    found.setdefault("copy", []).append(self.baselines["copy"])
        best = {k: (max(v) if k == "tx32" else min(v)) for k, v in found.items()}
        write("REFERENCE = {")
        for key, value in best.items():
            write(f'    "{key}": {value:.3g},')
        write("}")
        return best

    def drop_baseline_table(self):
        if getattr(self, "_drop_baseline_table", False):
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {BASELINE_TABLE}")

    # --- the table ----------------------------------------------------------------------

    def judged(self, name, value, target, unit, ok):
        """(baseline text, ratio text, ratio target text, verdict) of one row: on the ratio
        where the row has a baseline with a reference, on the absolute figure otherwise."""
        key = self.row_baselines.get(name)
        base = self.baselines.get(key) if key else None
        ref = REFERENCE.get(key) if key else None
        if key is None or base is None or value is None:
            return "—", "—", "—", ok
        throughput = key == "tx32"
        # The row's value in the baseline's unit: ms (rows in s), per-1M-rows ms for copy.
        if throughput:
            ratio = value / base
        else:
            ms = value * 1000 if unit == "s" else value
            if key == "copy":
                rows = self.copy_rows.get(name)
                ms = ms * 1_000_000 / rows if rows else None
            ratio = ms / base if ms is not None and base else None
        base_text = f"{base:.0f} tx/s" if throughput else _ms_text(base, key)
        if ratio is None:
            return base_text, "—", "—", ok
        ratio_text = f"{ratio:.3f}×" if throughput else f"{ratio:.1f}×"
        if target is None or ref is None:
            return base_text, ratio_text, "—", ok
        limit = target / ref if throughput else (target * (1000 if unit == "s" else 1)) / ref
        if key == "copy":
            rows = self.copy_rows.get(name)
            limit = limit * 1_000_000 / rows if rows else limit
        ok = ratio >= limit if throughput else ratio <= limit
        # A small limit with its tenth: "≤ 2×" for 1.8 hid why 1.9× missed.
        limit_text = (
            f"≥ {limit:.3f}×"
            if throughput
            else (f"≤ {limit:.0f}×" if limit >= 10 else f"≤ {limit:.1f}×")
        )
        return base_text, ratio_text, limit_text, ok

    def print_table(self, write, load_before):
        header = (
            f"{'benchmark':<42} {'result':>12} {'target':>12} {'baseline':>14} {'ratio':>8} "
            f"{'ratio target':>12} {'queries':>7}  {'':4} note"
        )
        write(header)
        write("-" * len(header))
        misses = 0
        for name, value, target, unit, queries, ok, note in self.rows:
            if value is None:
                result = "—"
            elif unit == "ms":
                result = f"{value:.1f} ms"
            elif unit == "s":
                result = f"{value:.2f} s"
            else:
                result = f"{value:.0f} {unit}" if isinstance(value, float) else f"{value} {unit}"
            if target is None:
                tgt = "—"
            elif not unit.startswith(("ms", "s", "uses")) or unit.endswith("/s"):
                tgt = f"≥ {target} /s"
            else:
                tgt = f"≤ {target} {unit}"
            base, ratio, limit, ok = self.judged(name, value, target, unit, ok)
            mark = "ok" if ok else ("—" if ok is None else "MISS")
            misses += ok is False
            write(
                f"{name:<42} {result:>12} {tgt:>12} {base:>14} {ratio:>8} {limit:>12} "
                f"{str(queries):>7}  {mark:4} {note}"
            )
        write(f"\n{len(self.rows)} benchmarks, {misses} missed")
        write(
            "Rows with a baseline are judged on their ratio to it (the ratio target is the "
            "target over the baseline on the reference machine); the others on the figure."
        )
        write(
            f"load average before the run: {load_before:.2f}, after: {os.getloadavg()[0]:.2f}"
            " (other work on the machine slows every figure)"
        )
        return misses


def unlimit():
    """Storefront requests through the test client leave their statement timeout on this
    process's connection (shop.middleware); the bulk jobs measured next are ops work."""
    set_statement_timeout(0)


def _ms_text(value, key):
    if key == "copy":
        return f"{value / 1000:.2f} s/1M"
    return f"{value:.2f} ms"
