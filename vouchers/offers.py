"""Partner offers after purchase (SPEC S12): offers matched to the order on the success page,
impressions and clicks, and the optional external partner network."""

import hashlib
from urllib.parse import urlencode

from django.db.models import F, Q

from orders.models import net_of
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
    """What the external network receives — only with the customer's consent."""
    shop_settings = shop_settings or ShopSettings.load()
    if not (
        shop_settings.partner_network_enabled
        and shop_settings.partner_network_script_url
        and order.partner_consent
    ):
        return None
    return {
        "order": order.number,
        "value": f"{net_goods_value(order):.2f}",
        "currency": order.currency,
        "voucher": order.voucher_code,
        "email_sha256": email_hash(order.email),
    }


def partner_network_url(order, shop_settings=None):
    shop_settings = shop_settings or ShopSettings.load()
    data = partner_network_data(order, shop_settings)
    if data is None:
        return None
    url = shop_settings.partner_network_script_url
    return url + ("&" if "?" in url else "?") + urlencode(data)
