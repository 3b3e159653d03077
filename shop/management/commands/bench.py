"""SPEC S15 benchmarks against the current database; prints one table with targets.

    manage.py seed_scale --customers 200000 --orders 1000000 --codes 1000000
    manage.py bench            # full run (20 requests per page, 1M codes, 100k assignment)
    manage.py bench --quick    # small counts, for a smoke run on demo data

Page timings go through Django's test client with a logged-in superuser (server time, no
network); bulk jobs run inside a transaction that is rolled back, so the data set stays as
it was (the touched tables are vacuumed at the end, so no dead rows stay behind). Orders placed by the throughput test are deleted afterwards, with their outbox
e-mails (written in the order transaction, as in production, but not handed to a worker).
"""

import os
import statistics
import threading
import time
from decimal import Decimal
from unittest import mock

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse

from orders.models import Order
from shop.db import table, vacuum
from shop.models import PaymentMethod, Product, ShippingMethod

BENCH_EMAIL = "bench-staff@example.invalid"


class Rollback(Exception):
    pass


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


class Command(BaseCommand):
    help = "Run the SPEC S15 benchmarks and print a table with the targets (misses marked)."

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="small counts for a smoke run")
        parser.add_argument("--requests", type=int, default=None, help="requests per page (≥ 20)")
        parser.add_argument("--only", default="", help="comma-separated row name filter")

    def handle(self, *args, **opts):
        if not Order.objects.exists() or not Product.objects.exists():
            raise CommandError("No data: run `manage.py seed_demo` (and seed_scale) first.")
        self.quick = opts["quick"]
        self.n = max(20, opts["requests"] or 20)
        self.only = [s.strip().lower() for s in opts["only"].split(",") if s.strip()]
        self.rows = []
        self.load_before = os.getloadavg()[0]
        with override_settings(
            ALLOWED_HOSTS=["*"],
            BACKOFFICE_REQUIRE_2FA=False,
            DEBUG=False,
            # Measure the shop, not the mail transport (a broker sends mail in production).
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ):
            self.staff = self._staff()
            self.client = Client()
            self.client.force_login(self.staff)
            self.pages()
            self.storefront()
            self.jobs()
        self.print_table()
        self.vacuum()

    # -- helpers -----------------------------------------------------------------------
    def wanted(self, name):
        return not self.only or any(s in name.lower() for s in self.only)

    def _staff(self):
        User = get_user_model()
        user = User.objects.filter(email=BENCH_EMAIL).first()
        if user is None:
            user = User.objects.create_superuser(BENCH_EMAIL, None, first_name="Bench")
        return user

    def row(self, name, value, target, unit="ms", queries="", lower_is_better=True, note=""):
        if target is None:
            ok = None
        else:
            ok = value <= target if lower_is_better else value >= target
        self.rows.append((name, value, target, unit, queries, ok, note))

    def time_get(self, name, url, target, client=None):
        if not self.wanted(name):
            return
        client = client or self.client
        for _ in range(2):  # warm caches and connections
            response = client.get(url)
        if response.status_code != 200:
            self.rows.append((name, None, target, "ms", "", False, f"HTTP {response.status_code}"))
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
        median = statistics.median(times)
        self.row(
            name,
            median,
            target,
            queries=query_count,
            note=f"p95 {percentile(times, 95):.1f} ms",
        )

    def admin_url(self, name, *args, query=""):
        try:
            return reverse(name, args=args) + query
        except NoReverseMatch:
            return None

    # -- backoffice pages --------------------------------------------------------------
    def pages(self):
        from django.apps import apps

        def latest(label):
            try:
                model = apps.get_model(label)
            except LookupError:
                return None
            return model.objects.order_by("-pk").values_list("pk", flat=True).first()

        name_query = self.sample_last_name()
        targets = [
            ("Orders list", "admin:orders_order_changelist", None, ""),
            ("Orders search (name)", "admin:orders_order_changelist", None, f"?q={name_query}"),
            ("Order detail", "admin:orders_order_change", "orders.Order", ""),
            ("Customers list", "admin:customers_user_changelist", None, ""),
            (
                "Customers search (name)",
                "admin:customers_user_changelist",
                None,
                f"?q={name_query}",
                50,  # S15: customer / personal-data name search ≤ 50 ms
            ),
            ("Customer detail", "admin:customers_user_change", "customers.User", ""),
            ("Campaigns list", "admin:vouchers_campaign_changelist", None, ""),
            ("Codes list", "admin:vouchers_code_changelist", None, ""),
            ("Gift cards list", "admin:giftcards_giftcard_changelist", None, ""),
            ("Gift card detail", "admin:giftcards_giftcard_change", "giftcards.GiftCard", ""),
            ("Threads list", "admin:helpdesk_thread_changelist", None, ""),
            ("Thread detail", "admin:helpdesk_thread_change", "helpdesk.Thread", ""),
            ("Reviews list", "admin:reviews_review_changelist", None, ""),
            ("Access log list", "admin:privacy_accesslogentry_changelist", None, ""),
        ]
        for name, url_name, detail_of, query, *target in targets:
            target = target[0] if target else 100
            if detail_of:
                pk = latest(detail_of)
                if detail_of == "customers.User":
                    pk = (
                        get_user_model()
                        .objects.filter(is_staff=False)
                        .order_by("-pk")
                        .values_list("pk", flat=True)
                        .first()
                    )
                url = self.admin_url(url_name, pk, query=query) if pk else None
            else:
                url = self.admin_url(url_name, query=query)
            if url is None:
                if self.wanted(name):
                    self.rows.append((name, None, target, "ms", "", False, "page missing"))
                continue
            self.time_get(name, url, target)
        browser = self.admin_url(
            "admin:privacy_subject_changelist", query=f"?q={name_query}&scope=both"
        )
        if browser:
            self.time_get("Personal-data search (name)", browser, 50)

    def sample_last_name(self):
        """The most frequent customer surname: the search with the most matches (worst case)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT last_name FROM {table(get_user_model())} WHERE NOT is_staff AND last_name <> '' "
                "GROUP BY last_name ORDER BY COUNT(*) DESC, last_name LIMIT 1"
            )
            row = cursor.fetchone()
        return row[0] if row else "Schmidt"

    # -- storefront --------------------------------------------------------------------
    def storefront(self):
        product = Product.objects.active().filter(is_giftcard=False).first()
        guest = Client()
        self.time_get(
            "Storefront product page",
            reverse("shop:product", args=[product.slug]),
            50,
            client=guest,
        )
        guest.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 2})
        self.time_get("Storefront cart", reverse("shop:cart"), 50, client=guest)
        self.time_get("Storefront checkout page", reverse("orders:checkout"), 50, client=guest)
        if self.wanted("Checkout placement"):
            from orders.services import place_order

            data = self.checkout_data()
            times = []
            for _ in range(self.n):
                try:
                    with transaction.atomic():
                        t = time.perf_counter()
                        place_order({product.pk: 1}, data)
                        times.append((time.perf_counter() - t) * 1000)
                        raise Rollback
                except Rollback:
                    pass
            self.row(
                "Checkout placement (service)",
                statistics.median(times),
                50,
                note=f"p95 {percentile(times, 95):.1f} ms",
            )

    def checkout_data(self, **extra):
        from orders.services import CheckoutData

        return CheckoutData(
            email="bench-buyer@example.invalid",
            billing={
                "first_name": "Bench",
                "last_name": "Buyer",
                "street": "Teststraße 1",
                "postcode": "10115",
                "city": "Berlin",
                "country": "DE",
            },
            shipping_method_id=ShippingMethod.objects.filter(is_active=True).first().pk,
            payment_method_id=PaymentMethod.objects.filter(kind="card", is_active=True).first().pk,
            **extra,
        )

    # -- bulk jobs ---------------------------------------------------------------------
    def jobs(self):
        if self.wanted("Generate"):
            self.bench_generation()
        if self.wanted("Assign"):
            self.bench_assignment()
        if self.wanted("Invoice PDF"):
            self.bench_invoice_pdf()
        if self.wanted("Checkout throughput"):
            self.bench_throughput()

    def bench_generation(self):
        from vouchers import benchmarks

        count = 100_000 if self.quick else 1_000_000
        baseline = benchmarks.raw_copy_baseline(count)
        self.row(
            f"Raw COPY of {count:,} code rows",
            baseline,
            None,
            unit="s",
            note="baseline: bare logged table, no app code",
        )
        elapsed = benchmarks.bench_generate(count)
        self.row(
            f"Generate {count:,} codes",
            elapsed,
            10 if count == 1_000_000 else None,
            unit="s",
            note="PROMO<NUM:1000000><RAND:10000:99999>",
        )

    def bench_assignment(self):
        from vouchers import benchmarks

        want = 10_000 if self.quick else 100_000
        elapsed, assigned = benchmarks.bench_assign(want)
        self.row(
            f"Assign codes to {assigned:,} customers",
            elapsed,
            10 if assigned >= 100_000 else None,
            unit="s",
            note="set-based UPDATE",
        )

    def bench_invoice_pdf(self):
        from orders import pdf, services
        from orders.models import Invoice

        invoice = Invoice.objects.order_by("-pk").first()
        rollback = invoice is None
        times = []
        try:
            with transaction.atomic():
                if invoice is None:
                    order = Order.objects.filter(status=Order.Status.PENDING).first()
                    invoice = services.create_invoice(order)
                pdf.invoice_pdf_bytes(invoice.pk)  # warm up: fonts load on the first PDF
                for _ in range(max(10, self.n // 2)):
                    t = time.perf_counter()
                    pdf.invoice_pdf_bytes(invoice.pk)
                    times.append((time.perf_counter() - t) * 1000)
                if rollback:
                    raise Rollback
        except Rollback:
            pass
        self.row(
            "Invoice PDF", statistics.median(times), 300, note=f"p95 {percentile(times, 95):.1f} ms"
        )

    def bench_throughput(self):
        from orders.services import place_order
        from shop import mail
        from shop.models import OutboxEmail
        from vouchers.services import generate_campaign

        threads_n = 32
        per_thread = 5 if self.quick else 30
        products = list(Product.objects.active().filter(is_giftcard=False, stock__isnull=True)[:5])
        campaign = generate_campaign(
            name=f"bench-single-{time.time()}", count=1, kind="single", discount_value=Decimal("10")
        )
        code = campaign.codes.get().text
        data = self.checkout_data()
        errors, placed, with_code = [], [], []
        start = threading.Barrier(threads_n)

        def worker(i):
            try:
                start.wait()
                for j in range(per_thread):
                    p = products[(i + j) % len(products)]
                    if j == 0:  # every client tries the one single-use code first
                        try:
                            o = place_order({p.pk: 1}, self.checkout_data(voucher_code=code))
                            with_code.append(o.pk)
                            placed.append(o.pk)
                            continue
                        except Exception:
                            pass
                    placed.append(place_order({p.pk: 1}, data).pk)
            except Exception as exc:  # pragma: no cover - reported in the table
                errors.append(repr(exc))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_n)]
        # Each order writes its confirmation e-mail to the outbox inside the order
        # transaction, as in production; delivering it is the Celery worker's job, not the
        # checkout's, so the hand-over to the worker is recorded instead of run inline.
        queued_mail = []
        t = time.perf_counter()
        with mock.patch.object(mail, "dispatch", queued_mail.append):
            for th in threads:
                th.start()
            for th in threads:
                th.join()
        elapsed = time.perf_counter() - t
        rate = len(placed) / elapsed
        from vouchers.models import Redemption

        redemptions = Redemption.objects.filter(code__campaign=campaign).count()
        Order.objects.filter(pk__in=placed).delete()
        OutboxEmail.objects.filter(pk__in=queued_mail).delete()
        campaign.delete()
        note = f"{len(placed)} orders, {len(queued_mail)} e-mails queued, code used {redemptions}×"
        if errors:
            note += f", {len(errors)} errors: {errors[0][:60]}"
        self.row(
            "Checkout throughput (32 clients)",
            rate,
            100,
            unit="orders/s",
            lower_is_better=False,
            note=note,
        )
        self.row("Single-use code over-redemption", redemptions, 1, unit="uses")

    def vacuum(self):
        """The rolled-back bulk jobs leave millions of dead rows (a rolled-back COPY still
        wrote them); clean them up so the next run — and the shop — see the data set as it
        was, not a bloated one."""
        labels = ["vouchers.Code", "vouchers.Campaign", "orders.Order", settings.AUTH_USER_MODEL]
        vacuum(*(apps.get_model(label) for label in labels))

    # -- output ------------------------------------------------------------------------
    def print_table(self):
        header = f"{'benchmark':<42} {'result':>12} {'target':>12} {'queries':>8}  {'':4} note"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
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
            elif unit == "orders/s":
                tgt = f"≥ {target} /s"
            else:
                tgt = f"≤ {target} {unit}"
            mark = "ok" if ok else ("—" if ok is None else "MISS")
            misses += ok is False
            self.stdout.write(
                f"{name:<42} {result:>12} {tgt:>12} {str(queries):>8}  {mark:4} {note}"
            )
        self.stdout.write(f"\n{len(self.rows)} benchmarks, {misses} missed")
        self.stdout.write(
            f"load average before the run: {self.load_before:.2f}, after: {os.getloadavg()[0]:.2f}"
            " (other work on the machine slows every figure)"
        )
