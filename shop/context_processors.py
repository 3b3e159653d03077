from django.conf import settings

from .cart import Cart
from .models import Category, ShopSettings


def storefront(request):
    if request.path.startswith("/backoffice/"):
        return {}
    context = {
        "shop_settings": ShopSettings.load(),
        "nav_categories": Category.active_rows,  # called by the template, if it shows them
        "currency": settings.SHOP_CURRENCY,
    }
    slots = getattr(request, "page_slots", None)
    if slots is not None:
        # A page rendered for the page cache (shop.pagecache): the visitor's own values are
        # filled in for each visitor.
        context.update(cart_count=slots.cart_count, csrf_token=slots.csrf_token, page_slots=slots)
    else:
        context["cart_count"] = Cart(request).count if hasattr(request, "session") else 0
    return context
