"""Template tags of the catalog: the legal price display, product pictures and thumbnails.

``{% product_price product %}`` shows what the law asks for wherever a price is shown: the
price that applies now, the unit price per kg / l / m (PAngV § 4) and, while a sale runs,
the lowest price of the 30 days before it (PAngV § 11) — none while there was no earlier
price to reduce from. ``{% product_picture %}`` and
``{% product_thumb %}`` write a ``<picture>`` with WebP and JPEG ``srcset`` and lazy loading.
"""

from django import template
from django.conf import settings

from shop.pricing import content_label

register = template.Library()


@register.inclusion_tag("shop/includes/price.html", takes_context=True)
def product_price(context, product, price=None, size=""):
    """``price``: the unit price of a line (defaults to the product's price now)."""
    current = product.current_price() if price is None else price
    on_sale = product.on_sale and current == product.sale_price
    lowest = product.lowest_price_30_days if on_sale else None
    if lowest is None:
        # No earlier price in the 30 days before the sale (a new product sold at its sale
        # price from the start): no reduction to announce — the price alone, no "was" price
        # and no sale colour.
        on_sale = False
    unit = product.unit_price(current)
    return {
        "currency": context.get("currency") or settings.SHOP_CURRENCY,
        "price": current,
        "on_sale": on_sale,
        "lowest": lowest,
        "struck": lowest if lowest is not None and lowest > current else None,
        "content": content_label(product),
        "unit_price": unit[0] if unit else None,
        "unit": unit[1] if unit else "",
        "size": size,
    }


@register.inclusion_tag("shop/includes/picture.html")
def product_picture(image, sizes="(max-width: 700px) 100vw, 480px", eager=False, alt=None):
    return {"image": image, "sizes": sizes, "eager": eager, "alt": alt}


@register.inclusion_tag("shop/includes/thumb.html")
def product_thumb(product, size=46, absolute=False):
    """A small picture of ``product`` (or its coloured initial while it has none).
    ``absolute``: URLs with ``SITE_URL`` (e-mails); e-mails get the JPEG only."""
    image = product.main_image if product is not None else None
    return {
        "product": product,
        "image": image,
        "size": size,
        "absolute": absolute,
        "site_url": settings.SITE_URL.rstrip("/") if absolute else "",
    }
