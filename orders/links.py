"""Links to an order for its customer: the account page, or for guests a signed order-status
link (status, shipments, tracking, invoice, credit notes, withdrawal) that needs no login.

The guest link carries the order's id, signed with ``SECRET_KEY`` so that it can be neither
guessed nor altered (rotating the key with a fallback keeps e-mailed links working). It does
not expire: the withdrawal function must stay reachable for the whole withdrawal period.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SIGNING_SALT = "orders.status"


def signed_status_value(order):
    return signing.Signer(salt=SIGNING_SALT).sign(str(order.pk))


def status_path(order):
    return reverse("orders:guest_status", args=[signed_status_value(order)])


def order_id_from_signed(value):
    """The order id of a signed status link, or None if the link was tampered with."""
    try:
        return int(signing.Signer(salt=SIGNING_SALT).unsign(value))
    except (signing.BadSignature, ValueError):
        return None


def customer_order_url(order):
    """The absolute link a customer follows to the order: the account page for an order of
    an account, the signed status page for a guest order."""
    path = order.get_absolute_url() if order.customer_id else status_path(order)
    return settings.SITE_URL + path


def withdrawal_path(order=None):
    """The withdrawal function, for ``order`` prefilled where that reveals nothing (an
    account's order through the account, a guest order through its signed link). A path:
    what a storefront page links, on whichever address it was opened."""
    if order is None:
        return reverse("orders:withdraw")
    if order.customer_id:
        return reverse("orders:withdraw") + f"?order={order.number}"
    return reverse("orders:guest_withdraw", args=[signed_status_value(order)])


def withdrawal_url(order=None):
    """:func:`withdrawal_path` as the absolute link an e-mail or a PDF prints (``SITE_URL``)."""
    return settings.SITE_URL + withdrawal_path(order)
