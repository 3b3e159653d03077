"""Customer account operations: locks for ordering, open-amount limits (S5)."""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from shop.exceptions import DomainError
from shop.models import PaymentMethod, ShopSettings

from .models import User


class CustomerError(DomainError):
    pass


def lock_for_order(customer):
    """Lock the customer row for the placement transaction and refuse rejected customers.

    Checked here, not only at login, so a session opened before the customer was rejected
    cannot order either; the lock serialises the open-amount check of parallel orders.
    """
    locked = User.objects.select_for_update().get(pk=customer.pk)
    if locked.is_rejected or not locked.is_active:
        raise CustomerError(_("Your customer account is blocked. Please contact us."))
    return locked


def open_amount(customer):
    """Sum of grand totals of the customer's orders that are not paid, canceled or closed."""
    from orders.models import Order

    total = (
        Order.objects.filter(customer=customer)
        .open_amount_relevant()
        .aggregate(s=Sum("grand_total"))["s"]
    )
    return total or Decimal("0.00")


def open_amount_limit(customer, shop_settings=None):
    """Customer override, else the group's limit, else the shop default."""
    if customer is not None and customer.open_amount_limit is not None:
        return customer.open_amount_limit
    if customer is not None and customer.group_id and customer.group.open_amount_limit is not None:
        return customer.group.open_amount_limit
    return (shop_settings or ShopSettings.load()).default_open_amount_limit


def limited_method_allowed(customer, order_total, shop_settings=None):
    shop_settings = shop_settings or ShopSettings.load()
    if customer is None:
        return shop_settings.guests_may_use_limited_methods
    return open_amount(customer) + order_total <= open_amount_limit(customer, shop_settings)


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
