"""Prices as the law wants them shown: the price that applies now (sale prices with a
period), the lowest price of the 30 days before a reduction (PAngV § 11, Omnibus Directive
(EU) 2019/2161) from the price history, and the unit price per kg / l / m / m² (PAngV § 4,
Directive 98/6/EC).

``Product.save`` calls :func:`prepare_price_change` and :func:`record_price_change`, so
every way a price changes — backoffice, import, a service — is recorded alike.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import number_format

from .money import money

PRICE_FIELDS = ("price", "sale_price", "sale_start", "sale_end")
LOOKBACK = timedelta(days=30)

# content unit: (how many of it make one base unit, base unit label)
BASE_UNITS = {
    "g": (Decimal(1000), "kg"),
    "kg": (Decimal(1), "kg"),
    "ml": (Decimal(1000), "l"),
    "l": (Decimal(1), "l"),
    "cm": (Decimal(100), "m"),
    "m": (Decimal(1), "m"),
    "m2": (Decimal(1), "m²"),
}
UNIT_LABELS = {"m2": "m²"}


@dataclass(frozen=True)
class Snapshot:
    price: Decimal
    sale_price: Decimal | None
    sale_start: object
    sale_end: object


def sale_applies(snapshot, moment):
    return (
        snapshot.sale_price is not None
        and (snapshot.sale_start is None or snapshot.sale_start <= moment)
        and (snapshot.sale_end is None or moment < snapshot.sale_end)
    )


def effective_price(snapshot, moment):
    return snapshot.sale_price if sale_applies(snapshot, moment) else snapshot.price


def _snapshot(obj):
    return Snapshot(obj.price, obj.sale_price, obj.sale_start, obj.sale_end)


def lowest_price(snapshots, window_start, window_end):
    """The lowest effective price in ``[window_start, window_end)`` given ``snapshots``, a
    time-ordered list of ``(recorded_at, Snapshot)`` (each valid until the next one). A sale
    starting or ending inside a snapshot's time counts too. None when no price applied."""
    prices = []
    for index, (recorded_at, snap) in enumerate(snapshots):
        begin = max(recorded_at, window_start)
        end = snapshots[index + 1][0] if index + 1 < len(snapshots) else window_end
        end = min(end, window_end)
        if end <= begin:
            continue
        moments = [begin] + [
            moment for moment in (snap.sale_start, snap.sale_end) if moment and begin < moment < end
        ]
        prices.extend(effective_price(snap, moment) for moment in moments)
    return min(prices) if prices else None


def history_before(product_id, start):
    """The recorded snapshots that matter for the 30 days before ``start``: the one in force
    when the window opens and every later one before ``start``."""
    from .models import PriceHistory

    window_start = start - LOOKBACK
    rows = PriceHistory.objects.filter(product_id=product_id).order_by("recorded_at", "pk")
    opening = rows.filter(recorded_at__lte=window_start).last()
    inside = rows.filter(recorded_at__gt=window_start, recorded_at__lt=start)
    found = ([opening] if opening else []) + list(inside)
    return [(row.recorded_at, _snapshot(row)) for row in found]


def lowest_price_before(product, start, now=None):
    """The lowest price the product had in the 30 days before ``start`` (the reduction),
    counting the values being saved now as in force from ``now`` on. None if it had none
    (a new product whose first price is already the reduced one)."""
    now = now or timezone.now()
    snapshots = history_before(product.pk, start) if product.pk else []
    if now < start:
        snapshots.append((now, _snapshot(product)))
    return lowest_price(snapshots, start - LOOKBACK, start)


def reduction_start(product, stored, now):
    """The moment the reduction being saved shows to customers, whose 30 days before it
    give its reference price: the sale's start — or now, when the sale did not run just
    before this save and runs now. A sale resumed long after its start (a new end, the old
    start kept; or a start moved into the past) is announced from now on: the 30 days before
    its stored start are long gone, and their prices are not "the lowest of the last 30
    days" (PAngV § 11). A sale that ran already keeps its start (a new end or price changes
    nothing about when the reduction began); one that starts later starts then."""
    was_running = stored is not None and sale_applies(Snapshot(**stored), now)
    if not was_running and sale_applies(_snapshot(product), now):
        return now  # max(sale_start, now): a running sale started at or before now
    return product.sale_start


def prepare_price_change(product, now=None):
    """Before ``product`` is saved: whether its price or sale changed (then the sale start
    defaults to now and the sale's reference price is computed for the 30 days before the
    reduction shows, :func:`reduction_start`)."""
    from .models import Product

    now = now or timezone.now()
    stored = (
        Product.objects.filter(pk=product.pk).values(*PRICE_FIELDS).first() if product.pk else None
    )
    if stored is not None and all(stored[f] == getattr(product, f) for f in PRICE_FIELDS):
        return False
    if product.sale_price is None:
        product.sale_start = product.sale_end = None
        product.sale_reference_price = None
        return True
    if product.sale_start is None:
        product.sale_start = now
    start = reduction_start(product, stored, now)
    product.sale_reference_price = lowest_price_before(product, start, now)
    return True


def record_price_change(product, now=None):
    from .models import PriceHistory

    PriceHistory.objects.create(
        product=product,
        recorded_at=now or timezone.now(),
        price=product.price,
        sale_price=product.sale_price,
        sale_start=product.sale_start,
        sale_end=product.sale_end,
    )


def unit_price(product, price):
    """``(price per base unit, "kg")`` for goods sold by weight, volume, length or area, or
    None. Also None when the content is exactly one base unit (the price is the unit price)."""
    if not product.content_quantity or product.content_unit not in BASE_UNITS:
        return None
    per_base, label = BASE_UNITS[product.content_unit]
    base_quantity = Decimal(product.content_quantity) / per_base
    if base_quantity == 1:
        return None
    return money(Decimal(price) / base_quantity), label


def content_label(product):
    """``"250 g"`` for the content quantity (trailing zeros dropped, localised)."""
    if not product.content_quantity or not product.content_unit:
        return ""
    quantity = Decimal(product.content_quantity).normalize()
    if quantity == quantity.to_integral():
        quantity = quantity.quantize(Decimal(1))
    unit = UNIT_LABELS.get(product.content_unit, product.content_unit)
    return f"{number_format(quantity, use_l10n=True)} {unit}"
