"""How discount codes follow orders and customers (connected in VouchersConfig.ready())."""

from customers.signals import customer_deleting, guest_deleting, points_owed
from orders import extensions, signals

from . import erasure, services


def release_on_cancel(sender, order, **kwargs):
    """A canceled (or fully refunded) order gives its codes back."""
    services.release_redemptions(order)


def lock_on_release(sender, order, final=True, **kwargs):
    """Before a cancellation or final credit note: the order's campaigns, locked first as
    the placement locks them."""
    if final:
        services.lock_redemptions(order)


def void_unused_point_codes(sender, customer_id, **kwargs):
    """Points of an undone order that were spent on codes: the unused ones are voided and
    their points given back (also for a partial credit note, which ``order_canceled`` does
    not announce)."""
    services.settle_points_debt(customer_id)


def connect():
    extensions.register_checkout_step(
        extensions.CheckoutStep(
            "vouchers", price=services.price_at_checkout, record=services.record_redemption
        )
    )
    signals.order_releasing.connect(lock_on_release, dispatch_uid="vouchers.lock_on_release")
    signals.order_canceled.connect(release_on_cancel, dispatch_uid="vouchers.release_on_cancel")
    customer_deleting.connect(erasure.on_customer_deleting, dispatch_uid="vouchers.erasure")
    guest_deleting.connect(erasure.on_guest_deleting, dispatch_uid="vouchers.guest_erasure")
    points_owed.connect(void_unused_point_codes, dispatch_uid="vouchers.void_point_codes")
