"""The shop's rows of ``manage.py bench`` (storefront product page, cart, search: S15
≤ 50 ms) and its part of ``seed_scale`` (``--products N``)."""

import time

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from .bulk import copy_rows, next_ids, reset_sequence
from .models import Category, PriceHistory, Product

ADJECTIVES = (
    "Nordic Organic Enamel Oak Linen Wool Stoneware Copper Smoked Wild Roasted Salted Danish "
    "Polish Bavarian Hand-made Rustic Classic Little Grand"
).split()
NOUNS = (
    "coffee jam honey tea pot mug board towel candle vase blanket skillet bowl plate spoon "
    "knife basket cushion liquorice chocolate mustard syrup biscuits"
).split()
WORDS = (
    "fresh roasted sweet crunchy soft warm durable handmade fair trade gift kitchen garden "
    "breakfast winter summer"
).split()


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
    count = Product.objects.active().count()
    # Two common words with a price filter: full text, ranking, count and the first page.
    bench.time_get(
        f"Storefront search ({count:,} products)",
        reverse("shop:products") + "?q=roasted+coffee&max_price=500",
        50,
        client=guest,
    )
    # A typo nothing matches exactly: the trigram fallback over every product name.
    bench.time_get(
        f"Storefront search, typo ({count:,} products)",
        reverse("shop:products") + "?q=rosted+cofee",
        50,
        client=guest,
    )


def scale_arguments(parser):
    parser.add_argument("--products", type=int, default=0, help="products to add")


def seed_scale(cmd, options, rnd):
    if options.get("products"):
        _scale_products(cmd, options["products"], rnd)


def _scale_products(cmd, n, rnd):
    t = time.monotonic()
    now = timezone.now()
    categories = list(Category.objects.values_list("pk", flat=True))
    with transaction.atomic():
        ids = next_ids(Product, n)
        tag = ids.start

        def rows():
            for i in ids:
                name = f"{rnd.choice(ADJECTIVES)} {rnd.choice(NOUNS)} {i}"
                description = " ".join(rnd.choice(WORDS) for _ in range(12))
                price = f"{rnd.randint(199, 19999) / 100:.2f}"
                yield (
                    i,
                    rnd.choice(categories),
                    name,
                    f"scale-{tag}-{i}",
                    f"SC{tag}-{i}",
                    description,
                    price,
                    "19.00",
                    True,
                    rnd.choice([None, rnd.randint(0, 200)]),
                    now,
                    "",
                    name,  # the default language's columns (django-modeltranslation)
                    description,
                )

        count = copy_rows(
            Product,
            [
                "id",
                "category_id",
                "name",
                "slug",
                "sku",
                "description",
                "price",
                "tax_rate",
                "is_active",
                "stock",
                "created",
                "download_file",
                f"name_{settings.LANGUAGE_CODE}",
                f"description_{settings.LANGUAGE_CODE}",
            ],
            rows(),
        )
        # Their first price is their history (PAngV § 11 reads it).
        copy_rows(
            PriceHistory,
            ["product_id", "recorded_at", "price"],
            (
                (pk, created, price)
                for pk, created, price in Product.objects.filter(pk__gte=ids.start).values_list(
                    "pk", "created", "price"
                )
            ),
        )
        reset_sequence(Product)
    cmd.stdout.write(f"products: {count} in {time.monotonic() - t:.1f}s")


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
