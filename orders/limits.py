"""Payment methods limited by the customer's open amount (SPEC S5).

The *open amount* is what the customer's orders still owe: for each order not paid, canceled
or closed, what is left after gift cards and account credit (``Order.objects.open_amount()``).
The *limit* is the customer's (``customers.services.open_amount_limit``: the customer's
override, else the group's, else the shop default).

One rule decides, :func:`limited_method_allowed`, always asked with the *amount due*: what the
order leaves to the payment method after discount, gift card and account credit. The checkout
page asks it with the amount ``orders.services.quote_order`` computes for the page's input;
``place_order`` asks it again inside the placement transaction (customer row locked), after
the gift card and credit have paid, with the amount they left. The same input gives the same
amount, so a method the page offers is accepted and one it hides is refused.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from customers.services import CustomerError, open_amount_limit
from shop.models import PaymentMethod, ShopSettings

from .models import Order


def open_amount(customer, exclude=None):
    """What the customer's orders still owe; ``exclude``: the order being placed."""
    orders = Order.objects.filter(customer=customer)
    if exclude is not None and exclude.pk is not None:
        orders = orders.exclude(pk=exclude.pk)
    return orders.open_amount()


def headroom(customer, shop_settings=None, exclude=None):
    """How much a limited method may still collect from ``customer``: ``limit − open amount``
    (``None``: no limit — a guest in a shop that allows limited methods to guests; a guest
    in a shop that does not gets ``-1``, below every amount due)."""
    shop_settings = shop_settings or ShopSettings.load()
    if customer is None:
        return None if shop_settings.guests_may_use_limited_methods else Decimal("-1")
    return open_amount_limit(customer, shop_settings) - open_amount(customer, exclude=exclude)


def fits(amount_due, room):
    """The rule itself: nothing due fits always, otherwise ``amount due ≤ headroom`` (equal
    to the limit is still allowed)."""
    amount_due = Decimal(amount_due)
    return amount_due <= 0 or room is None or amount_due <= room


def limited_method_allowed(customer, amount_due, shop_settings=None, exclude=None):
    """May a limited method collect ``amount_due`` (what the order leaves after discount,
    gift card and credit) from ``customer``? A fully covered order is never refused."""
    if Decimal(amount_due) <= 0:
        return True
    return fits(amount_due, headroom(customer, shop_settings, exclude=exclude))


def needs_parcel(method):
    """Cash on delivery is paid to the parcel's carrier: without a parcel it cannot be paid."""
    return method.kind == PaymentMethod.Kind.COD


def allowed_payment_methods(customer, amount_due, ships=True):
    """The active payment methods the checkout page offers for ``amount_due``; ``ships``:
    whether the order goes out as a parcel (an order of gift cards and downloads does not)."""
    methods = [m for m in PaymentMethod.active_rows() if ships or not needs_parcel(m)]
    if any(m.limited_by_open_amount for m in methods):
        if not limited_method_allowed(customer, amount_due):
            methods = [m for m in methods if not m.limited_by_open_amount]
    return methods


def assert_payment_method_allowed(method, customer, amount_due, placing=None, ships=True):
    """Called inside the placement transaction with the customer row locked, once gift card
    and credit have paid; ``placing``: the (saved) order itself, not part of the open amount;
    ``ships``: whether anything of it goes out as a parcel."""
    if not ships and needs_parcel(method):
        raise CustomerError(
            _(
                "%(method)s is paid to the parcel carrier, and this order ships no parcel. "
                "Please choose another payment method."
            )
            % {"method": method.name},
            field="payment_method",
        )
    if method.limited_by_open_amount and not limited_method_allowed(
        customer, amount_due, exclude=placing
    ):
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
