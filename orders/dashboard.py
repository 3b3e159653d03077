"""The orders' figures on the backoffice start page (``shop.dashboard``), registered in
``orders.panels.register()``. Each function runs one query, whatever the number of orders,
and returns plain data with the URL of the filtered order list behind every figure."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Collate, NullIf, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order

from shop import charts
from shop.db import is_postgresql
from shop.locales import date_in_words
from shop.models import PaymentMethod
from shop.money import ZERO, format_money

from .admin_list import ReceivableAgeFilter
from .models import Order, OrderLine

DAYS = 30
SOLD = [Order.Status.PENDING, Order.Status.PROCESSING, Order.Status.COMPLETE]


def _start(day):
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _orders_url(**params):
    return reverse("admin:orders_order_changelist") + "?" + urlencode(params)


def _period_url(first, last, **params):
    return _orders_url(created_from=first.isoformat(), created_to=last.isoformat(), **params)


def _sold_url(first, last, **params):
    return _period_url(first, last, status__in=",".join(SOLD), **params)


def _delta(now, before):
    """Change in percent against the previous period (None when there was nothing)."""
    if not before:
        return None
    return round(float((Decimal(now) - Decimal(before)) * 100 / Decimal(before)))


def day_label(day):
    """A chart's day in the reader's language: en "3 Nov", de "3. Nov.", pl "3 lis",
    da "3. nov."."""
    return date_in_words(day, "MMMd")


def month_label(month):
    """A chart's month in the reader's language: en "Nov 2026", de "Nov. 2026",
    pl "lis 2026", da "nov. 2026"."""
    return date_in_words(month, "yMMM")


def periods(today=None):
    today = today or timezone.localdate()
    first = today - timedelta(days=DAYS - 1)
    previous_first = first - timedelta(days=DAYS)
    return today, first, previous_first


def sales(today=None):
    """Revenue and orders per day, the last 30 days against the 30 before; average order
    value. Revenue: grand totals of the orders placed, without canceled and refunded ones,
    and without the gift cards sold — a liability until they are redeemed, when the goods
    bought with them are the revenue (as in the sales report, ``orders.accounting``): a
    card sold for 50 € and spent on 50 € of goods is 50 € of revenue, not 100 €."""
    today, first, previous_first = periods(today)
    cards_sold = (
        OrderLine.objects.filter(order=OuterRef("pk"), is_giftcard=True)
        .values("order")
        .annotate(total=Sum("line_total"))
        .values("total")
    )
    rows = (
        Order.objects.filter(created__gte=_start(previous_first), status__in=SOLD)
        .annotate(day=TruncDate("created", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(
            n=Count("id"),
            revenue=Sum(F("grand_total") - Coalesce(Subquery(cards_sold), ZERO)),
        )
        .order_by()
    )
    by_day = {row["day"]: row for row in rows}
    days = [first + timedelta(days=i) for i in range(DAYS)]
    before = [previous_first + timedelta(days=i) for i in range(DAYS)]

    def values(dates, key):
        return [by_day.get(d, {}).get(key) or 0 for d in dates]

    revenue, revenue_before = values(days, "revenue"), values(before, "revenue")
    count, count_before = values(days, "n"), values(before, "n")
    total, total_before = sum(revenue, ZERO), sum(revenue_before, ZERO)
    n, n_before = sum(count), sum(count_before)
    aov = (total / n).quantize(Decimal("0.01")) if n else ZERO
    aov_before = (total_before / n_before).quantize(Decimal("0.01")) if n_before else ZERO
    labels = [day_label(d) for d in days]
    previous = _("previous 30 days")
    current = _("last 30 days")
    return {
        "kpis": [
            {
                "caption": _("Revenue, last 30 days"),
                "value": total,
                "money": True,
                "delta": _delta(total, total_before),
                "url": _sold_url(first, today),
            },
            {
                "caption": _("Orders, last 30 days"),
                "value": n,
                "delta": _delta(n, n_before),
                "url": _sold_url(first, today),
            },
            {
                "caption": _("Average order value"),
                "value": aov,
                "money": True,
                "delta": _delta(aov, aov_before),
                "url": _sold_url(first, today),
            },
        ],
        "revenue_chart": charts.line_chart(
            labels,
            [
                charts.Series(current, revenue, "s1"),
                charts.Series(previous, revenue_before, "s2", dashed=True),
            ],
            title=_("Revenue per day"),
            description=_(
                "Revenue per day of the last 30 days (%(total)s) against the 30 days before "
                "(%(before)s)."
            )
            % {"total": format_money(total), "before": format_money(total_before)},
            decimals=2,
        ),
        "orders_chart": charts.bar_chart(
            labels,
            [charts.Series(current, count, "s1")],
            title=_("Orders per day"),
            description=_("Orders per day of the last 30 days: %(n)s in all, %(before)s before.")
            % {"n": n, "before": n_before},
            label_every=7,
        ),
        "orders_before": n_before,
        "currency": settings.SHOP_CURRENCY,
        "period": {"first": first, "last": today},
    }


def customers(today=None):
    """Buyers of the last 30 days (by e-mail address, guests included): first order in the
    period (new) or ordered before (returning)."""
    today, first, _previous = periods(today)
    earlier = Order.objects.filter(email=OuterRef("email"), created__lt=_start(first))
    counts = (
        Order.objects.filter(created__gte=_start(first), status__in=SOLD)
        .values("email")
        .annotate(orders=Count("id"), earlier=Exists(earlier))
        .order_by()
        .aggregate(
            new=Count("email", filter=Q(earlier=False)),
            returning=Count("email", filter=Q(earlier=True)),
        )
    )
    total = counts["new"] + counts["returning"]
    rows = [
        {
            "label": _("New customers"),
            "value": counts["new"],
            "url": _sold_url(first, today, buyer="new"),
        },
        {
            "label": _("Returning customers"),
            "value": counts["returning"],
            "url": _sold_url(first, today, buyer="returning"),
        },
    ]
    return {
        "total": total,
        "rows": rows,
        "share_new": round(counts["new"] * 100 / total) if total else 0,
        "chart": charts.hbar_chart(
            rows,
            title=_("New and returning customers, last 30 days"),
            description=_("Customers who ordered: %(new)s new, %(returning)s returning.") % counts,
            decimals=0,
            value_name=_("customers"),
        ),
    }


def _product_name():
    """The product's name in the reader's language for a query grouped by product: its
    translation, else the default language's (as ``product.name`` falls back), else the name
    its order lines carry."""
    names = [
        NullIf(Max(f"product__{build_localized_fieldname('name', language)}"), Value(""))
        for language in resolution_order(get_language())
    ] + [Max("name")]
    if is_postgresql():
        # Each language's name column sorts by its own collation (shop/0025): the choice
        # between them takes one, or PostgreSQL cannot tell which to group and sort by.
        names = [Collate(name, "default") for name in names]
    return Coalesce(*names, output_field=CharField())


def top_products(today=None, limit=5):
    """The best-selling products of the last 30 days by revenue (gross line totals).

    Grouped by the product alone: a line carries the product's name in its order's language,
    and grouping by that name split one product into a row per language. Lines of deleted
    products are left out: each bar links to the orders with its product."""
    today, first, _previous = periods(today)
    rows = list(
        OrderLine.objects.filter(
            order__created__gte=_start(first), order__status__in=SOLD, product__isnull=False
        )
        .values("product_id")
        .annotate(revenue=Sum("line_total"), quantity=Sum("quantity"), label=_product_name())
        .order_by("-revenue", "label", "product_id")[:limit]
    )
    items = [
        {
            "label": row["label"],
            "value": row["revenue"],
            "note": _("%(n)s pcs.") % {"n": row["quantity"]},
            "url": _sold_url(first, today, product=row["product_id"]),
        }
        for row in rows
    ]
    return {
        "rows": items,
        "chart": charts.hbar_chart(
            items,
            title=_("Top products, last 30 days"),
            description=ngettext(
                "The %(n)s product with the highest revenue in the last 30 days.",
                "The %(n)s products with the highest revenue in the last 30 days.",
                len(items),
            )
            % {"n": len(items)},
            value_name=_("revenue"),
        ),
    }


def receivables(today=None):
    """Open amounts of invoiced pay-on-invoice orders by the age of the invoice: what is
    still due on each (``Order.balance_due``, after part payments and credit notes)."""
    today = today or timezone.localdate()
    due = Order.balance_due_expression()
    buckets = ReceivableAgeFilter.BUCKETS
    conditions = {}
    for key, (younger, older) in buckets.items():
        condition = Q()
        if younger is not None:
            condition &= Q(invoices__created__lt=_start(today - timedelta(days=younger - 1)))
        if older is not None:
            condition &= Q(invoices__created__gte=_start(today - timedelta(days=older)))
        conditions[key] = condition
    aggregates = {}
    for i, condition in enumerate(conditions.values()):
        aggregates[f"sum{i}"] = Sum(due, filter=condition)
        aggregates[f"n{i}"] = Count("id", filter=condition)
    totals = ReceivableAgeFilter.receivables(
        Order.objects.filter(invoices__isnull=False)
    ).aggregate(**aggregates)
    labels = {"0-14": _("0–14 days"), "15-30": _("15–30 days"), "31+": _("over 30 days")}
    rows = [
        {
            "label": labels[key],
            "value": totals[f"sum{i}"] or ZERO,
            "note": ngettext("%(n)s order", "%(n)s orders", totals[f"n{i}"])
            % {"n": totals[f"n{i}"]},
            "count": totals[f"n{i}"],
            "url": _orders_url(receivable=key),
        }
        for i, key in enumerate(buckets)
    ]
    total = sum((r["value"] for r in rows), ZERO)
    return {
        "total": total,
        "currency": settings.SHOP_CURRENCY,
        "url": _orders_url(receivable="all"),
        "rows": rows,
        "chart": charts.hbar_chart(
            rows,
            title=_("Open amounts by age of the invoice"),
            description=_(
                "Unpaid pay-on-invoice orders, by days since the invoice: %(total)s in all."
            )
            % {"total": format_money(total)},
            value_name=_("open amount"),
        ),
    }


def authorized(today=None):
    """Card payments authorized at checkout that are not captured yet."""
    totals = Order.objects.filter(payment_status=Order.PaymentStatus.AUTHORIZED).aggregate(
        n=Count("id"),
        amount=Sum(F("grand_total") - F("giftcard_total") - F("credit_total")),
        oldest=Min("created"),
    )
    return {
        "count": totals["n"],
        "amount": totals["amount"] or ZERO,
        "currency": settings.SHOP_CURRENCY,
        "oldest": totals["oldest"],
        "url": _orders_url(payment_status__exact=Order.PaymentStatus.AUTHORIZED),
        "kind": PaymentMethod.Kind.CARD.label,
    }
