"""The shop's rows of ``manage.py bench``: storefront product page and cart (S15 ≤ 50 ms)."""

from django.test import Client
from django.urls import reverse

from .models import Product


def run(bench):
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
