"""The customers' rows of ``manage.py bench`` and their part of ``seed_scale``."""

import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from shop.bulk import copy_rows, next_ids, reset_sequence
from shop.db import table

from .models import User

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


def common_surname():
    """The most frequent customer surname: the search with the most matches (worst case)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT last_name FROM {table(User)} WHERE NOT is_staff AND last_name <> '' "
            "GROUP BY last_name ORDER BY COUNT(*) DESC, last_name LIMIT 1"
        )
        row = cursor.fetchone()
    return row[0] if row else "Schmidt"


def run(bench):
    bench.time_admin_list("Customers list", User)
    # S15: customer / personal-data name search ≤ 50 ms
    bench.time_admin_list("Customers search (name)", User, 50, query=f"?q={common_surname()}")
    bench.time_admin_detail("Customer detail", User, bench.latest_pk(User, is_staff=False))


def http_config():
    """The customer search of ``manage.py bench --http`` (the most frequent surname)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    query = urlencode({"q": common_surname()})
    return {"customers": f"{reverse('admin:customers_user_changelist')}?{query}"}


def scale_arguments(parser):
    parser.add_argument("--customers", type=int, default=0, help="customers to add")


def seed_scale(cmd, options, rnd):
    if options["customers"]:
        _scale_customers(cmd, options["customers"], rnd)


def _scale_customers(cmd, n, rnd):
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
    cmd.stdout.write(f"customers: {count} in {time.monotonic() - t:.1f}s")
