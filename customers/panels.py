"""Panels this app contributes to pages of the shop (see shop.panels)."""

from shop import panels

from .loyalty import points_balance
from .models import LoyaltyEntry


def account_points(request, user):
    """Loyalty points on the storefront account start page."""
    if not user.is_authenticated or user.is_staff:
        return None
    entries = list(LoyaltyEntry.objects.filter(customer=user).select_related("order")[:5])
    return {"balance": points_balance(user), "entries": entries}


def register():
    panels.ACCOUNT_HOME.register("customers/_points_panel.html", account_points, order=20)
