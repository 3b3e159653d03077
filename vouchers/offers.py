"""Partner offers after purchase (SPEC S12): offers matched to the order on the success page,
impressions and clicks, and the optional external partner network.

Everything here needs the customer's consent at checkout (``Order.partner_consent``, "show me
offers and share my order data"): without it the success page shows no offer and loads no
partner script.

The partner network's script never runs on a page with personal data. The success page (name,
e-mail, address) embeds a sandboxed iframe (``sandbox="allow-scripts"``, no
``allow-same-origin``: the script cannot read the parent page, cookies or storage) of a page
of our own, ``partner_frame``, which holds nothing but the order reference, the net goods
value, the currency and the SHA-256 of the e-mail address. Only that page's
Content-Security-Policy allows the partner's origin.
"""

import hashlib
from urllib.parse import urlencode, urlsplit

from django.core import signing
from django.db.models import F, Q
from django.urls import reverse

from orders.models import Order, net_of
from shop.models import ShopSettings

from .models import ZERO, PartnerOffer

MAX_OFFERS = 3


def offers_for_order(order, limit=MAX_OFFERS, count_impression=True):
    """Up to ``limit`` live offers matched to the purchase: offers for the order's categories
    first, then general ones (no categories); minimum value against the goods total."""
    category_ids = set(
        order.lines.filter(product__isnull=False).values_list("product__category_id", flat=True)
    )
    base = PartnerOffer.objects.live().filter(
        Q(min_order_value__isnull=True) | Q(min_order_value__lte=order.goods_total)
    )
    offers = []
    if category_ids:
        offers = list(
            base.filter(categories__in=category_ids).distinct().order_by("position", "id")[:limit]
        )
    if len(offers) < limit:
        offers += list(
            base.filter(categories__isnull=True)
            .exclude(pk__in=[o.pk for o in offers])
            .order_by("position", "id")[: limit - len(offers)]
        )
    if offers and count_impression:
        PartnerOffer.objects.filter(pk__in=[o.pk for o in offers]).update(
            impressions=F("impressions") + 1
        )
    return offers


def record_click(offer_id):
    """Count a click and return the offer's own URL (never one from the request)."""
    offer = PartnerOffer.objects.filter(pk=offer_id).exclude(link_url="").first()
    if offer is None:
        return None
    PartnerOffer.objects.filter(pk=offer.pk).update(clicks=F("clicks") + 1)
    return offer.link_url


def email_hash(email):
    return hashlib.sha256((email or "").strip().lower().encode("utf-8")).hexdigest()


def net_goods_value(order):
    """Goods after discount, without VAT and without shipping."""
    rows = order.tax_breakdown()
    total_net = sum((row["net"] for row in rows), ZERO)
    shipping_gross = order.shipping_total - order.shipping_discount
    if shipping_gross:
        total_net -= net_of(shipping_gross, order.shipping_method.tax_rate)
    return max(ZERO, total_net)


def partner_network_data(order, shop_settings=None):
    """What the external network receives — only with the customer's consent, and nothing
    but these four values."""
    shop_settings = shop_settings or ShopSettings.load()
    if not (
        shop_settings.partner_network_enabled
        and script_origin(shop_settings.partner_network_script_url)
        and order.partner_consent
    ):
        return None
    return {
        "order": order.number,
        "value": f"{net_goods_value(order):.2f}",
        "currency": order.currency,
        "email_sha256": email_hash(order.email),
    }


def script_origin(url):
    """``https://host[:port]`` of the partner script, or "" for anything else."""
    parts = urlsplit(url or "")
    if parts.scheme in ("https", "http") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return ""


def partner_network_url(order, shop_settings=None):
    shop_settings = shop_settings or ShopSettings.load()
    data = partner_network_data(order, shop_settings)
    if data is None:
        return None
    url = shop_settings.partner_network_script_url
    return url + ("&" if "?" in url else "?") + urlencode(data)


FRAME_SALT = "vouchers.partner-frame"
FRAME_MAX_AGE = 24 * 3600  # seconds the success page's frame link works


def partner_frame_path(order, shop_settings=None):
    """The sandboxed frame page for the success page, or None (no consent, network off)."""
    if partner_network_data(order, shop_settings) is None:
        return None
    value = signing.TimestampSigner(salt=FRAME_SALT).sign(str(order.pk))
    return reverse("vouchers:partner_frame", args=[value])


def order_from_frame_token(value):
    try:
        pk = signing.TimestampSigner(salt=FRAME_SALT).unsign(value, max_age=FRAME_MAX_AGE)
    except signing.BadSignature:
        return None
    return Order.objects.select_related("shipping_method").filter(pk=pk).first()


def frame_policy(origin):
    """The Content-Security-Policy of the frame page: the partner's origin and nothing of
    ours (no inline script, no same-origin requests); only our own pages may embed it."""
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {origin}",
            f"connect-src {origin}",
            f"img-src {origin} data:",
            f"style-src {origin} 'unsafe-inline'",
            f"font-src {origin}",
            f"frame-src {origin}",
            f"form-action {origin}",
            "base-uri 'none'",
            "frame-ancestors 'self'",
        ]
    )
