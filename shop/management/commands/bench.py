"""SPEC S15 benchmarks against the current database; prints one table with targets.

    manage.py seed_scale --customers 200000 --orders 1000000 --codes 1000000
    manage.py bench            # full run (20 requests per page, 1M codes, 100k assignment)
    manage.py bench --quick    # small counts, for a smoke run on demo data

Each app measures its own pages and jobs in ``<app>/benchmarks.py`` (``run(bench)``, see
``shop.bench``); this command runs them in the apps' layer order and prints the table.
"""

import os

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

    def handle(self, *args, **opts):
        if not Product.objects.exists():
            raise CommandError("No data: run `manage.py seed_demo` (and seed_scale) first.")
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
        bench.print_table(self.stdout.write, load_before)
        bench.vacuum()
