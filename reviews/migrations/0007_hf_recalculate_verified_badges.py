"""Verified purchase follows the purchase (reviews.services.proving_lines): a purchase that was
canceled, closed or fully credited by credit notes proves nothing. The badge is set again when
an order of the author is paid, canceled or credited — but only since that rule came in; the
badges of existing reviews still say what the rule said when they were written (a lamp sent
back and refunded long ago still "verified").

This recalculates them once, with the rule as it is now, written out here on the historical
models (a migration must not depend on code that may change later): a review is verified iff
an order line of its product, in an order of the review's account or the order of its
review-request link, is in an order paid (or refund pending) or shipped, neither canceled nor
closed, and has units left that no credit note credited. A review with neither account nor
link proves nothing — unless it was anonymised: erasure and retention removed the link that
proved it, not the purchase, so it keeps its badge. Nothing else changes.
``manage.py refresh_review_badges`` applies the current rule again at any time.
"""

from collections import defaultdict

from django.db import migrations
from django.db.models import Q

BATCH = 1000
PAID = ("paid", "partly_refunded", "refund_pending")
ENDED = ("canceled", "closed")


def _credited_units(CreditNote, db, order_ids, line_ids):
    """Units of each order line that credit notes credited (a note lists each order line
    once: ``{"line": id, "quantity": n, …}``)."""
    credited = defaultdict(int)
    notes = CreditNote.objects.using(db).filter(invoice__order_id__in=order_ids)
    for lines in notes.values_list("lines", flat=True):
        for entry in lines or ():
            if isinstance(entry, dict) and entry.get("line") in line_ids:
                credited[entry["line"]] += int(entry.get("quantity") or 0)
    return credited


def _proven(apps, db, reviews):
    """The pks of ``reviews`` (pk, product, customer, request's order) the rule proves."""
    OrderLine = apps.get_model("orders", "OrderLine")
    CreditNote = apps.get_model("orders", "CreditNote")
    products = {product for _pk, product, _customer, _order in reviews}
    customers = {customer for _pk, _product, customer, _order in reviews if customer}
    orders = {order for _pk, _product, _customer, order in reviews if order}
    if not customers and not orders:
        return set()
    lines = list(
        OrderLine.objects.using(db)
        .filter(product_id__in=products)
        .filter(Q(order__customer_id__in=customers) | Q(order_id__in=orders))
        .exclude(order__status__in=ENDED)
        .filter(Q(order__payment_status__in=PAID) | Q(order__shipments__isnull=False))
        .values_list("pk", "order_id", "order__customer_id", "product_id", "quantity")
        .distinct()
    )
    credited = _credited_units(
        CreditNote, db, {line[1] for line in lines}, {line[0] for line in lines}
    )
    by_customer, by_order = set(), set()
    for pk, order, customer, product, quantity in lines:
        if quantity > credited[pk]:
            by_order.add((order, product))
            if customer:
                by_customer.add((customer, product))
    return {
        pk
        for pk, product, customer, order in reviews
        if (customer and (customer, product) in by_customer)
        or (order and (order, product) in by_order)
    }


def recalculate_badges(apps, schema_editor):
    db = schema_editor.connection.alias
    Review = apps.get_model("reviews", "Review")
    reviews = (
        Review.objects.using(db)
        .filter(Q(customer__isnull=False) | Q(request__isnull=False) | Q(anonymised=""))
        .order_by("pk")
        .values_list("pk", "product_id", "customer_id", "request__order_id")
    )
    last = 0
    while True:
        batch = list(reviews.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        last = batch[-1][0]
        proven = _proven(apps, db, batch)
        ids = [row[0] for row in batch]
        Review.objects.using(db).filter(pk__in=proven, verified_purchase=False).update(
            verified_purchase=True
        )
        Review.objects.using(db).filter(pk__in=ids, verified_purchase=True).exclude(
            pk__in=proven
        ).update(verified_purchase=False)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0019_h2_refund_pending"),
        ("reviews", "0006_hb_confirmed_reviews"),
    ]

    # The badges as they were are not kept: going back leaves them recalculated.
    operations = [migrations.RunPython(recalculate_badges, migrations.RunPython.noop)]
