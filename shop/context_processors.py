from django.conf import settings

from .cart import Cart
from .models import Category, ShopSettings


def storefront(request):
    if request.path.startswith("/backoffice/"):
        return {}
    return {
        "shop_settings": ShopSettings.load(),
        "nav_categories": Category.objects.all(),
        "cart_count": Cart(request).count if hasattr(request, "session") else 0,
        "currency": settings.SHOP_CURRENCY,
    }
