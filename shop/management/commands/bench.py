"""SPEC S15 benchmarks against the current database; prints one table with targets.

    manage.py seed_scale --customers 200000 --orders 1000000 --codes 1000000
    manage.py bench            # full run (20 requests per page, 1M codes, 100k assignment)
    manage.py bench --quick    # small counts, for a smoke run on demo data
    manage.py bench --http     # through gunicorn + locust (issue 28), 20 s per row
    manage.py bench --http --quick       # 2 s per row, a smoke run
    manage.py bench --http --soak 300    # then the 5-minute soak of the mixed journey

Each app measures its own pages and jobs in ``<app>/benchmarks.py`` (``run(bench)``, see
``shop.bench``); this command runs them in the apps' layer order and prints the table.
"""

import os
import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from shop.bench import Bench
from shop.discovery import app_modules
from shop.models import Product


class Command(BaseCommand):
    help = "Run the SPEC S15 benchmarks and print a table with the targets (misses marked)."

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="small counts for a smoke run")
        parser.add_argument("--requests", type=int, default=None, help="requests per page (≥ 20)")
        parser.add_argument("--only", default="", help="comma-separated row name filter")
        parser.add_argument(
            "--baselines",
            action="store_true",
            help="measure only the baselines (best of 5) and print them as shop.bench.REFERENCE",
        )
        http = parser.add_argument_group("HTTP bench (gunicorn + locust, see shop/httpbench.py)")
        http.add_argument("--http", action="store_true", help="measure through gunicorn")
        http.add_argument(
            "--duration", type=float, default=None, help="seconds per row (20; --quick: 2)"
        )
        http.add_argument("--soak", type=int, default=0, help="then soak for N seconds")
        http.add_argument("--users", type=int, default=0, help="locust users (2 × workers)")
        http.add_argument("--workers", type=int, default=0, help="gunicorn workers (2×cores+1)")
        http.add_argument("--port", type=int, default=8128, help="gunicorn's port (8128)")
        http.add_argument(
            "--redis-url",
            default=os.environ.get("BENCH_REDIS_URL", ""),
            help="cache and broker of the bench's stack (BENCH_REDIS_URL, else REDIS_URL)",
        )

    def handle(self, *args, **opts):
        if opts["soak"] and not opts["http"]:
            raise CommandError("--soak runs through gunicorn: add --http.")
        if not Product.objects.exists():
            raise CommandError("No data: run `manage.py seed_demo` (and seed_scale) first.")
        if opts["http"]:
            return self.http(opts)
        if opts["baselines"]:
            return self.reference(opts)
        load_before = os.getloadavg()[0]
        with override_settings(
            ALLOWED_HOSTS=["*"],
            BACKOFFICE_REQUIRE_2FA=False,
            DEBUG=False,
            # Measure the shop, not the mail transport (a broker sends mail in production).
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ):
            bench = Bench(quick=opts["quick"], requests=opts["requests"], only=opts["only"])
            for _config, module in app_modules("benchmarks"):
                if hasattr(module, "run"):
                    module.run(bench)
        try:
            bench.print_table(self.stdout.write, load_before)
        finally:
            bench.drop_baseline_table()
            bench.vacuum()

    def reference(self, opts):
        """The baselines on this machine, to become ``REFERENCE`` where targets are set."""
        with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
            bench = Bench(requests=50)
            # The apps say what their baselines are made of (``baselines(bench)``): the
            # writes of one order, the raw COPY.
            for _config, module in app_modules("benchmarks"):
                if hasattr(module, "baselines"):
                    module.baselines(bench)
            try:
                bench.measure_reference(
                    getattr(bench, "place_order_writes", 10),
                    copy=getattr(bench, "copy_timer", None),
                    write=self.stdout.write,
                )
            finally:
                bench.drop_baseline_table()

    def http(self, opts):
        from django.db import connection

        from shop.httpbench import HttpBench

        if connection.vendor != "postgresql":
            raise CommandError("The HTTP bench needs PostgreSQL (DATABASE_URL).")
        redis_url = opts["redis_url"] or settings.REDIS_URL
        if not redis_url:
            raise CommandError("The HTTP bench needs Redis: set --redis-url or REDIS_URL.")
        seconds = opts["duration"] or (2 if opts["quick"] else 20)
        if seconds <= 0 or opts["soak"] < 0 or opts["users"] < 0 or opts["workers"] < 0:
            raise CommandError("--duration, --soak, --users and --workers must be positive.")
        bench = HttpBench(
            port=opts["port"],
            workers=opts["workers"],
            users=opts["users"],
            seconds=seconds,
            redis_url=redis_url,
            only=opts["only"],
            write=self.stdout.write,
            interleave=not opts["quick"],
        )
        # SIGTERM (a CI timeout, `kill`) stops like Ctrl-C: gunicorn, the Celery worker and
        # the run's data are cleaned up on the way out.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            bench.run(soak=opts["soak"])
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        except KeyboardInterrupt:
            raise CommandError(
                "Interrupted: gunicorn is stopped and the run's orders and sessions are deleted."
            ) from None
        finally:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame):
    raise KeyboardInterrupt
