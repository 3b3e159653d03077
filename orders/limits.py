"""Payment methods limited by the customer's open amount (SPEC S5).

The *open amount* is what the customer's orders still owe: orders not paid, not canceled and
not closed. The *limit* is the customer's (``customers.services.open_amount_limit``: the
customer's override, else the group's, else the shop default). A limited method is offered
on the checkout page and accepted by ``place_order`` only while ``open amount + this order
≤ limit``; the placement checks it again with the customer row locked.
"""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from customers.services import CustomerError, open_amount_limit
from shop.models import PaymentMethod, ShopSettings

from .models import ZERO, Order


def open_amount(customer):
    """Sum of grand totals of the customer's orders that are not paid, canceled or closed."""
    total = (
        Order.objects.filter(customer=customer)
        .open_amount_relevant()
        .aggregate(s=Sum("grand_total"))["s"]
    )
    return total or ZERO


def limited_method_allowed(customer, order_total, shop_settings=None):
    """``open amount + order total <= limit``: equal to the limit is still allowed."""
    shop_settings = shop_settings or ShopSettings.load()
    if customer is None:
        return shop_settings.guests_may_use_limited_methods
    return open_amount(customer) + Decimal(order_total) <= open_amount_limit(
        customer, shop_settings
    )


def allowed_payment_methods(customer, order_total):
    methods = list(PaymentMethod.objects.filter(is_active=True))
    if any(m.limited_by_open_amount for m in methods):
        if not limited_method_allowed(customer, order_total):
            methods = [m for m in methods if not m.limited_by_open_amount]
    return methods


def assert_payment_method_allowed(method, customer, order_total):
    """Called inside the placement transaction with the customer row locked."""
    if method.limited_by_open_amount and not limited_method_allowed(customer, order_total):
        raise CustomerError(
            _("%(method)s is not available for this order. Please choose another payment method.")
            % {"method": method.name},
            field="payment_method",
        )


def credit_overview(customer):
    """Open amount, limit and remaining headroom, as shown on the customer detail page."""
    shop_settings = ShopSettings.load()
    amount = open_amount(customer)
    limit = open_amount_limit(customer, shop_settings)
    if customer.open_amount_limit is not None:
        source = _("customer")
    elif customer.group_id and customer.group.open_amount_limit is not None:
        source = _("group %(name)s") % {"name": customer.group.name}
    else:
        source = _("shop default")
    return {
        "open_amount": amount,
        "limit": limit,
        "limit_source": source,
        "headroom": limit - amount,
    }
