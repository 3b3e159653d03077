"""Large synthetic data for benchmarks (SPEC S15): customers, orders with lines, codes …

Each app adds its options and its part in ``<app>/benchmarks.py`` (``scale_arguments(parser)``
and ``seed_scale(cmd, options, rnd)``), run in the apps' layer order. Rows are streamed with
PostgreSQL COPY (see shop.bulk), in one transaction per table.
"""

import random
import time

from django.core.management.base import BaseCommand, CommandError

from shop.db import analyze
from shop.discovery import app_modules
from shop.models import Product, ShippingMethod


def _contributors():
    return [
        module for _config, module in app_modules("benchmarks") if hasattr(module, "seed_scale")
    ]


class Command(BaseCommand):
    help = "Build large synthetic data, e.g. --customers N --orders N --codes N (PostgreSQL COPY)."

    def add_arguments(self, parser):
        for module in _contributors():
            if hasattr(module, "scale_arguments"):
                module.scale_arguments(parser)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, **opts):
        counts = {
            k: v for k, v in opts.items() if isinstance(v, int) and k not in ("seed", "verbosity")
        }
        if any(v < 0 for v in counts.values()):
            raise CommandError("Counts must not be negative.")
        if not Product.objects.exists() or not ShippingMethod.objects.exists():
            raise CommandError("No catalog yet: run `manage.py seed_demo` first.")
        rnd = random.Random(opts["seed"])
        started = time.monotonic()
        for module in _contributors():
            module.seed_scale(self, opts, rnd)
        analyze()
        self.stdout.write(self.style.SUCCESS(f"done in {time.monotonic() - started:.1f}s"))
