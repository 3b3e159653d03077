"""The harness of ``manage.py bench``: timing helpers and the result table.

Each app measures its own screens and jobs in ``<app>/benchmarks.py``, a ``run(bench)``
function that gets a :class:`Bench` and adds rows with :meth:`Bench.row` or
:meth:`Bench.time_get`. Page timings go through Django's test client with a logged-in
superuser (server time, no network). Bulk jobs run inside a transaction that is rolled back,
so the data set stays as it was; the tables they touch are named with :meth:`Bench.touched`
and vacuumed at the end.
"""

import os
import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from .db import vacuum

BENCH_EMAIL = "bench-staff@example.invalid"


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

    def row(self, name, value, target, unit="ms", queries="", lower_is_better=True, note=""):
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

    def time_get(self, name, url, target, client=None):
        """Median server time of GET ``url`` over ``n`` requests, after two warm-ups."""
        if not self.wanted(name):
            return
        if url is None:
            self.missing(name, target, "page missing")
            return
        client = client or self.client
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
        self.row(
            name,
            statistics.median(times),
            target,
            queries=query_count,
            note=f"p95 {percentile(times, 95):.1f} ms",
        )

    def time_call(self, name, fn, target, repeat=None, note=""):
        """Median milliseconds of ``fn()`` (each call inside its own rolled-back transaction
        when ``fn`` raises :class:`Rollback` itself)."""
        if not self.wanted(name):
            return
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
        )

    @staticmethod
    def admin_url(name, *args, query=""):
        try:
            return reverse(name, args=args) + query
        except NoReverseMatch:
            return None

    def time_admin_list(self, name, model, target=100, query=""):
        meta = model._meta
        url = self.admin_url(f"admin:{meta.app_label}_{meta.model_name}_changelist", query=query)
        self.time_get(name, url, target)

    def time_admin_detail(self, name, model, pk, target=100):
        if pk is None:
            self.missing(name, target, "no data")
            return
        meta = model._meta
        self.time_get(
            name, self.admin_url(f"admin:{meta.app_label}_{meta.model_name}_change", pk), target
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

    def print_table(self, write, load_before):
        header = f"{'benchmark':<42} {'result':>12} {'target':>12} {'queries':>8}  {'':4} note"
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
            mark = "ok" if ok else ("—" if ok is None else "MISS")
            misses += ok is False
            write(f"{name:<42} {result:>12} {tgt:>12} {str(queries):>8}  {mark:4} {note}")
        write(f"\n{len(self.rows)} benchmarks, {misses} missed")
        write(
            f"load average before the run: {load_before:.2f}, after: {os.getloadavg()[0]:.2f}"
            " (other work on the machine slows every figure)"
        )
        return misses
