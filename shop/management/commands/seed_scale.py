"""Large synthetic data for benchmarks (SPEC S15): customers, orders with lines, codes.

Rows are streamed with PostgreSQL COPY (see shop.bulk), in one transaction per table.
"""

import random
import time
from datetime import timedelta
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from customers.models import User
from orders.models import Order, OrderLine
from shop.bulk import copy_rows, next_ids, reset_sequence
from shop.db import analyze
from shop.models import PaymentMethod, Product, ShippingMethod

FIRST = (
    "Anna Jan Mette Erika Lukas Zofia Lars Sofie Piotr Hanna Jonas Emma Magnus Ida Karl Maja "
    "Felix Agnieszka Søren Laura Paul Katarzyna Mads Lea Tomasz Freja Max Julia Niels Ewa"
).split()
LAST = (
    "Schmidt Kowalski Jensen Müller Nowak Hansen Schneider Wiśniewska Nielsen Fischer Wójcik "
    "Pedersen Weber Kamińska Andersen Meyer Lewandowski Christensen Wagner Zielińska Larsen "
    "Becker Szymański Sørensen Hoffmann Woźniak Rasmussen Schulz Dąbrowska Jørgensen"
).split()
CITIES = [
    ("10115", "Berlin", "DE"),
    ("20457", "Hamburg", "DE"),
    ("00-001", "Warszawa", "PL"),
    ("30-001", "Kraków", "PL"),
    ("1050", "København", "DK"),
    ("8000", "Aarhus", "DK"),
    ("80331", "München", "DE"),
    ("50667", "Köln", "DE"),
]


class Command(BaseCommand):
    help = "Build large synthetic data: --customers N --orders N --codes N (PostgreSQL COPY)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=0)
        parser.add_argument("--orders", type=int, default=0)
        parser.add_argument("--codes", type=int, default=0)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, **opts):
        if min(opts["customers"], opts["orders"], opts["codes"]) < 0:
            raise CommandError("Counts must not be negative.")
        if not Product.objects.exists() or not ShippingMethod.objects.exists():
            raise CommandError("No catalog yet: run `manage.py seed_demo` first.")
        rnd = random.Random(opts["seed"])
        started = time.monotonic()
        if opts["customers"]:
            self.customers(opts["customers"], rnd)
        if opts["orders"]:
            self.orders(opts["orders"], rnd)
        if opts["codes"]:
            t = time.monotonic()
            call_command(
                "generate_codes",
                name=f"Scale campaign {timezone.now():%Y%m%d%H%M%S}",
                count=opts["codes"],
                mask="SCALE<NUM:1000000><RAND:10000:99999>",
                percent="10",
                stdout=self.stdout,
            )
            self.stdout.write(f"codes: {opts['codes']} in {time.monotonic() - t:.1f}s")
        analyze()
        self.stdout.write(self.style.SUCCESS(f"done in {time.monotonic() - started:.1f}s"))

    def customers(self, n, rnd):
        t = time.monotonic()
        now = timezone.now()
        with transaction.atomic():
            ids = next_ids(User, n)
            tag = ids.start

            def rows():
                for i in ids:
                    yield (
                        i,
                        f"scale{tag}-{i}@example.net",
                        rnd.choice(FIRST),
                        rnd.choice(LAST),
                        "!",  # unusable password
                        str(100000 + i),
                        now - timedelta(days=rnd.randint(0, 1100), seconds=rnd.randint(0, 86399)),
                        rnd.choice(["de", "pl", "da", "en"]),
                    )

            count = copy_rows(
                User,
                [
                    "id",
                    "email",
                    "first_name",
                    "last_name",
                    "password",
                    "customer_number",
                    "date_joined",
                    "language",
                ],
                rows(),
            )
            reset_sequence(User)
        self.stdout.write(f"customers: {count} in {time.monotonic() - t:.1f}s")

    def orders(self, n, rnd):
        t = time.monotonic()
        products = list(Product.objects.filter(is_giftcard=False, is_downloadable=False))
        shipping = list(ShippingMethod.objects.all())
        payments = list(PaymentMethod.objects.all())
        customers = list(
            User.objects.filter(is_staff=False).values_list(
                "id", "email", "first_name", "last_name"
            )
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
        self.stdout.write(f"orders: {count} with {lines} lines in {time.monotonic() - t:.1f}s")
