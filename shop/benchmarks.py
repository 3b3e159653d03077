"""The shop's rows of ``manage.py bench``: storefront product page and cart (S15 ≤ 50 ms)."""

from django.test import Client
from django.urls import reverse

from .models import Product


def run(bench):
    start_page(bench)
    product = Product.objects.active().filter(is_giftcard=False).first()
    if product is None:
        bench.missing("Storefront product page", 50, "no product")
        return
    guest = Client()
    bench.time_get(
        "Storefront product page", reverse("shop:product", args=[product.slug]), 50, client=guest
    )
    guest.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 2})
    bench.time_get("Storefront cart", reverse("shop:cart"), 50, client=guest)


def start_page(bench):
    """The backoffice start page (issue 26): warm = figures from the one-minute cache, as
    nearly every view of it is; cold = every figure computed (the first view a minute)."""
    import statistics
    import time

    from django.core.cache import cache

    from . import dashboard

    url = bench.admin_url("admin:index")
    bench.time_get("Start page (figures cached)", url, 150)
    name = "Start page (figures computed)"
    if not bench.wanted(name):
        return
    key = dashboard.cache_key(dashboard.visible(bench.staff), "en")
    times = []
    for _ in range(max(5, bench.n // 4)):
        cache.delete(key)
        t = time.perf_counter()
        bench.client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        times.append((time.perf_counter() - t) * 1000)
    bench.row(name, statistics.median(times), None, note=f"max {max(times):.1f} ms, once a minute")
