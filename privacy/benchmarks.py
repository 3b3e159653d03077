"""The privacy rows of ``manage.py bench`` — the access log and the personal-data browser —
and its part in ``seed_scale`` (``--access-log N``: a hash-chained log as 50 staff write it).

    manage.py seed_scale --customers 200000 --orders 1000000 --access-log 20000000
"""

import json
import math
import random
import time
from datetime import timedelta

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from customers.benchmarks import common_surname
from shop.bench import Rollback
from shop.bulk import copy_into_new_partition, copy_rows, reset_sequence
from shop.db import is_postgresql, without_jit

from .models import GENESIS_HASH, AccessLogEntry, AccessLogHead
from .services import canonical_payload, chain_hash, write_entry
from .services.retention import month_start
from .subjects import consultations, entries_about, resolve

PER_DAY = 100_000  # 50 staff browsing all day
COLUMNS = ["id", "time", "user_id", "username", "action", "subjects", "path", "ip", "note"]
COLUMNS += ["prev_hash", "hash"]


def run(bench):
    bench.time_admin_list("Access log list", AccessLogEntry)
    entries = _entries()
    ref = _a_viewed_customer()
    if ref is None:
        bench.missing("Who looked at customer X", 100, "no access-log entries")
    else:
        url = bench.admin_url("admin:privacy_accesslogentry_changelist", query=f"?subject={ref}")
        before = len(bench.rows)
        bench.time_get(
            "Who looked at customer X", url, 100, baseline="select:privacy_accesslogentry"
        )
        if len(bench.rows) > before:
            name, value, target, unit, queries, ok, note = bench.rows[-1]
            note = f"{note}, {entries:,} entries, {ref}"
            bench.rows[-1] = (name, value, target, unit, queries, ok, note)
        person = resolve(ref)
        hits = len(consultations(person))
        bench.time_call(
            "Who looked at customer X (query)",
            lambda: _who_looked(person),
            100,
            baseline="select:privacy_accesslogentry",
            note=f"count + newest 50 of {hits} hits",
        )
    bench.time_call(
        "Write one access-log entry",
        _write_one,
        2,
        repeat=200,
        baseline="insert",
        note=f"median of 200 appends, {entries:,} entries",
    )
    url = bench.admin_url(
        "admin:privacy_subject_changelist", query=f"?q={common_surname()}&scope=both"
    )
    bench.time_get(  # S15 ≤ 50 ms
        "Personal-data search (name)", url, 50, baseline="select:customers_user"
    )


def http_tables():
    """The head of the chain: every backoffice view of the HTTP bench moves it on (vacuumed
    before and after that run, ``shop.httpbench``)."""
    return [AccessLogHead._meta.db_table]


def _entries():
    """The size of the log from its ids (a COUNT(*) of 20 million rows takes a minute)."""
    head = AccessLogHead.objects.filter(pk=1).values_list("last_id", flat=True).first() or 0
    first = AccessLogEntry.objects.order_by("id").values_list("id", flat=True).first() or 1
    return max(0, head - first + 1)


def _who_looked(person):
    """What the access-log list filtered by a person asks the database."""
    with without_jit():
        entries = entries_about(person)
        entries.count()
        list(entries[:50])


def _a_viewed_customer():
    """A customer named by the newest detail entries (a real "who looked at X" question)."""
    rows = AccessLogEntry.objects.filter(action="detail").order_by("-id")[:50]
    for subjects in rows.values_list("subjects", flat=True):
        for ref in subjects:
            if ref.startswith("customer:"):
                return ref
    return None


def _write_one():
    with transaction.atomic():
        write_entry(
            username="bench-staff@example.invalid",
            action="detail",
            subjects=["customer:1", "order:1"],
            path="/backoffice/orders/order/1/change/",
            ip="192.0.2.1",
        )
        raise Rollback


# --- seed_scale --access-log N ---------------------------------------------------------------


def scale_arguments(parser):
    parser.add_argument(
        "--access-log",
        type=int,
        default=0,
        help=f"access-log entries to add (hash-chained, {PER_DAY:,} a day up to now)",
    )


def seed_scale(cmd, options, rnd):
    if options["access_log"]:
        _scale_access_log(cmd, options["access_log"], rnd)


def _id_range(model, **filters):
    span = model.objects.filter(**filters).aggregate(low=Min("pk"), high=Max("pk"))
    return (span["low"], span["high"]) if span["low"] is not None else None


class _Traffic:
    """What 50 staff members look at: order and customer pages, lists, a few prints."""

    def __init__(self, rnd):
        User = apps.get_model("customers", "User")
        Order = apps.get_model("orders", "Order")
        self.rnd = rnd
        self.staff = list(User.objects.filter(is_staff=True).values_list("pk", "email")[:50])
        self.customers = _id_range(User, is_staff=False) or (1, 1)
        self.orders = _id_range(Order) or (1, 1)

    def customer(self):
        return self.rnd.randint(*self.customers)

    def order(self):
        return self.rnd.randint(*self.orders)

    def entry(self):
        rnd = self.rnd
        user_id, username = rnd.choice(self.staff) if self.staff else (None, "staff@example.com")
        kind = rnd.random()
        if kind < 0.45:
            order = self.order()
            action, path = "detail", f"/backoffice/orders/order/{order}/change/"
            subjects = [f"order:{order}", f"customer:{self.customer()}"]
        elif kind < 0.70:
            customer = self.customer()
            action, path = "detail", f"/backoffice/customers/user/{customer}/change/"
            subjects = [f"customer:{customer}"]
        elif kind < 0.95:
            action, path = "list", f"/backoffice/orders/order/?p={rnd.randint(1, 400)}"
            subjects = []
            for _ in range(25):
                subjects += [f"order:{self.order()}", f"customer:{self.customer()}"]
        else:
            order = self.order()
            action, path = "print", f"/backoffice/orders/invoice/{order}/pdf/"
            subjects = [f"order:{order}", f"customer:{self.customer()}"]
        ip = f"10.{rnd.randint(0, 3)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
        return user_id, username, action, subjects, path, ip


def _scale_access_log(cmd, n, rnd):
    started = time.monotonic()
    traffic = _Traffic(random.Random(rnd.random()))
    now = timezone.now()
    head = AccessLogHead.objects.filter(pk=1).first()
    start = now - timedelta(days=n / PER_DAY)
    if head and head.last_time and head.last_time > start:
        start = head.last_time  # the chain goes on after its newest entry
    step = max((now - start) / n, timedelta(microseconds=1))
    last = {"id": (AccessLogEntry.objects.aggregate(m=Max("id"))["m"] or 0), "time": None}
    last.update(prev=None, hash=head.last_hash if head else GENESIS_HASH)
    written, month = 0, month_start(start)
    while written < n:
        upper = month_start(month + timedelta(days=32))
        in_month = min(n, math.ceil((upper - start) / step)) - written
        if in_month > 0:
            rows = _rows(traffic, start, step, written, in_month, last)
            with transaction.atomic():
                _load(month, upper, rows)
                _move_head(last)
            written += in_month
            cmd.stdout.write(f"access log: {month:%Y-%m} {in_month:,} entries")
        month = upper
    reset_sequence(AccessLogEntry)
    cmd.stdout.write(f"access log: {written:,} entries in {time.monotonic() - started:.1f}s")


def _rows(traffic, start, step, offset, count, last):
    """The rows, hashed in chain order; ``last`` follows the newest one written."""
    for i in range(count):
        pk, at = last["id"] + 1, start + step * (offset + i)
        user_id, username, action, subjects, path, ip = traffic.entry()
        payload = canonical_payload(
            time=at,
            user_id=user_id,
            username=username,
            action=action,
            subjects=subjects,
            path=path,
            ip=ip,
            note="",
        )
        previous = last["hash"]
        digest = chain_hash(previous, payload)
        last.update(id=pk, time=at, prev=previous, hash=digest)
        row = (pk, at, user_id, username, action, json.dumps(subjects), path, ip, "")
        yield (*row, previous, digest)


def _load(month, upper, rows):
    if not is_postgresql():
        copy_rows(AccessLogEntry, COLUMNS, rows)
        return
    name = f"privacy_accesslogentry_p{month:%Y_%m}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        exists = cursor.fetchone()[0]
    if exists:
        copy_rows(AccessLogEntry, COLUMNS, rows)
    else:
        copy_into_new_partition(AccessLogEntry, name, month, upper, COLUMNS, rows)
    with connection.cursor() as cursor:  # the partition's TRUNCATE guard
        cursor.execute("SELECT privacy_accesslog_month(%s)", [month.date()])


def _move_head(last):
    AccessLogHead.objects.get_or_create(pk=1)
    AccessLogHead.objects.filter(pk=1).update(
        prev_hash=last["prev"], last_hash=last["hash"], last_id=last["id"], last_time=last["time"]
    )
