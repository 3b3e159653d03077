"""The orders' rows of ``manage.py bench`` (backoffice pages, checkout, invoice PDF) and
their part of ``seed_scale``."""

import time
from datetime import timedelta
from decimal import Decimal
from statistics import median

from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.benchmarks import CITIES, FIRST, LAST, common_surname
from customers.models import User
from shop.bench import Rollback, percentile
from shop.bulk import copy_rows, next_ids, reset_sequence
from shop.models import PaymentMethod, Product, ShippingMethod

from . import pdf, services
from .models import Invoice, Order, OrderComment, OrderLine


def checkout_data(**extra):
    return services.CheckoutData(
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
        digital_consent=True,
        **extra,
    )


def run(bench):
    bench.time_admin_list("Orders list", Order)
    bench.time_admin_list("Orders list (kept, a repeated view)", Order, kept=True)
    bench.time_admin_list("Orders search (name)", Order, query=f"?q={common_surname()}")
    bench.time_admin_detail("Order detail", Order, bench.latest_pk(Order))
    product = bench_product()
    if product is None:
        return
    guest = Client()
    guest.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 2})
    bench.time_get("Storefront checkout page", reverse("orders:checkout"), 50, client=guest)
    data = checkout_data()

    def place():
        with transaction.atomic():
            services.place_order({product.pk: 1}, data)
            raise Rollback

    # The baseline: an empty transaction with as many single-row writes as an order.
    bench.place_order_writes = place_order_writes(product, data)
    if bench.wanted("Checkout placement"):
        bench.measure_tx(bench.place_order_writes)
    bench.time_call(
        "Checkout placement (service)",
        place,
        50,
        baseline="tx",
    )
    if bench.wanted("Invoice PDF"):
        _invoice_pdf(bench)


def baselines(bench):
    """For ``manage.py bench --baselines``: the size of the empty order transaction."""
    bench.place_order_writes = place_order_writes()


def bench_product():
    """A product an order can take a few of: active, not a gift card, with stock (or not
    tracked, or backorders allowed) — a sold-out first product must not stop the bench."""
    return (
        Product.objects.active()
        .filter(is_giftcard=False)
        .filter(Q(stock__isnull=True) | Q(stock__gte=10) | Q(allow_backorders=True))
        .order_by("pk")
        .first()
    )


def place_order_writes(product=None, data=None):
    """How many rows one ``place_order`` writes (rolled back)."""
    product = product or bench_product()
    if product is None:
        return 10
    data = data or checkout_data()

    def place():
        with transaction.atomic():
            services.place_order({product.pk: 1}, data)
            raise Rollback

    return _writes_of(place)


def _writes_of(fn):
    """How many INSERT/UPDATE/DELETE statements ``fn`` sends."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        try:
            fn()
        except Rollback:
            pass
    return max(
        1,
        sum(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for q in ctx),
    )


def _invoice_pdf(bench):
    invoice = Invoice.objects.order_by("-pk").first()
    rollback = invoice is None
    times = []
    try:
        with transaction.atomic():
            if invoice is None:
                order = Order.objects.filter(status=Order.Status.PENDING).first()
                if order is None:
                    bench.missing("Invoice PDF", 300, "no order to invoice")
                    return
                invoice = services.create_invoice(order)
            pdf.invoice_pdf_bytes(invoice.pk)  # warm up: fonts load on the first PDF
            bench.baseline("cpu")
            for _ in range(max(10, bench.n // 2)):
                t = time.perf_counter()
                pdf.invoice_pdf_bytes(invoice.pk)
                times.append((time.perf_counter() - t) * 1000)
            if rollback:
                raise Rollback
    except Rollback:
        pass
    bench.row(
        "Invoice PDF",
        median(times),
        300,
        note=f"p95 {percentile(times, 95):.1f} ms",
        baseline="cpu",
    )


def http_config():
    """The orders' pages of ``manage.py bench --http``: the backoffice orders list and the
    newest order."""
    pk = Order.objects.order_by("-pk").values_list("pk", flat=True).first()
    if pk is None:
        return {}
    return {
        "orders": reverse("admin:orders_order_changelist"),
        "order": reverse("admin:orders_order_change", args=[pk]),
    }


def http_tables():
    """The tables the HTTP bench's checkouts write and its clean-up deletes from (vacuumed
    before and after its run, ``shop.httpbench``)."""
    tables = [Order._meta.db_table, OrderLine._meta.db_table, OrderComment._meta.db_table]
    return [*tables, "orders_listversion"]  # the orders list's versions (orders/0033)


def http_cleanup(email, since):
    """Delete the orders the HTTP bench's guest checkouts placed (and their e-mails)."""
    from datetime import UTC, datetime

    from shop.models import OutboxEmail

    after = datetime.fromtimestamp(since - 1, tz=UTC)
    Order.objects.filter(email=email, created__gte=after).delete()
    OutboxEmail.objects.filter(to__contains=[email], created__gte=after).delete()


def scale_arguments(parser):
    parser.add_argument("--orders", type=int, default=0, help="orders to add (2 lines on average)")


def seed_scale(cmd, options, rnd):
    if options["orders"]:
        _scale_orders(cmd, options["orders"], rnd)


def _scale_orders(cmd, n, rnd):
    t = time.monotonic()
    products = list(Product.objects.filter(is_giftcard=False, is_downloadable=False))
    shipping = list(ShippingMethod.objects.all())
    payments = list(PaymentMethod.objects.all())
    customers = list(
        User.objects.filter(is_staff=False).values_list("id", "email", "first_name", "last_name")
    )
    if not customers:
        raise CommandError("No customers: use --customers first.")
    statuses = [
        ("pending", "unpaid"),
        ("processing", "paid"),
        ("complete", "paid"),
        ("complete", "paid"),
        ("complete", "paid"),
        ("canceled", "unpaid"),
        ("processing", "unpaid"),
        ("closed", "refunded"),
    ]
    now = timezone.now()
    order_rows, line_rows = [], []
    with transaction.atomic():
        order_ids = next_ids(Order, n)
        line_id = next_ids(OrderLine, 1).start
        for oid in order_ids:
            if rnd.random() < 0.8:
                cid, email, first, last = rnd.choice(customers)
            else:
                cid, first, last = None, rnd.choice(FIRST), rnd.choice(LAST)
                email = f"guest{oid}@example.org"
            postcode, city, country = rnd.choice(CITIES)
            street = f"{rnd.choice(LAST)}straße {rnd.randint(1, 200)}"
            goods = Decimal("0.00")
            for _ in range(rnd.randint(1, 3)):
                p = rnd.choice(products)
                qty = rnd.randint(1, 3)
                total = p.price * qty
                goods += total
                line_rows.append(
                    (
                        line_id,
                        oid,
                        p.pk,
                        p.name,
                        p.sku,
                        qty,
                        p.price,
                        p.tax_rate,
                        total,
                        False,
                        False,
                    )
                )
                line_id += 1
            ship = rnd.choice(shipping)
            shipping_total = ship.cost_for(goods)
            status, pay = rnd.choice(statuses)
            created = now - timedelta(days=rnd.randint(0, 730), seconds=rnd.randint(0, 86399))
            order_rows.append(
                (
                    oid,
                    str(100000 + oid),
                    created,
                    cid,
                    email,
                    "",
                    "de",
                    first,
                    last,
                    "",
                    street,
                    postcode,
                    city,
                    country,
                    first,
                    last,
                    "",
                    street,
                    postcode,
                    city,
                    country,
                    ship.pk,
                    rnd.choice(payments).pk,
                    status,
                    pay,
                    created if pay == "paid" else None,
                    "EUR",
                    goods,
                    shipping_total,
                    goods + shipping_total,
                )
            )
        count = copy_rows(
            Order,
            [
                "id",
                "number",
                "created",
                "customer_id",
                "email",
                "phone",
                "language",
                "billing_first_name",
                "billing_last_name",
                "billing_company",
                "billing_street",
                "billing_postcode",
                "billing_city",
                "billing_country",
                "shipping_first_name",
                "shipping_last_name",
                "shipping_company",
                "shipping_street",
                "shipping_postcode",
                "shipping_city",
                "shipping_country",
                "shipping_method_id",
                "payment_method_id",
                "status",
                "payment_status",
                "paid_at",
                "currency",
                "goods_total",
                "shipping_total",
                "grand_total",
            ],
            order_rows,
        )
        lines = copy_rows(
            OrderLine,
            [
                "id",
                "order_id",
                "product_id",
                "name",
                "sku",
                "quantity",
                "unit_price",
                "tax_rate",
                "line_total",
                "is_downloadable",
                "is_giftcard",
            ],
            line_rows,
        )
        reset_sequence(Order)
        reset_sequence(OrderLine)
    cmd.stdout.write(f"orders: {count} with {lines} lines in {time.monotonic() - t:.1f}s")
