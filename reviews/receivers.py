"""How reviews follow customers and orders (connected in ReviewsConfig.ready())."""

from django.db import transaction

from customers.signals import customer_deleting, guest_deleting
from orders.signals import order_canceled, order_paid, order_releasing

from . import erasure, services


def refresh_verified_after_commit(sender, order, **kwargs):
    """An order was paid, canceled or is being credited: once that is committed, the rule of
    a verified purchase is applied again to the reviews the order can prove."""
    order_id = order.pk
    transaction.on_commit(lambda: services.refresh_verified(order_id))


def connect():
    customer_deleting.connect(erasure.on_customer_deleting, dispatch_uid="reviews.erasure")
    guest_deleting.connect(erasure.on_guest_deleting, dispatch_uid="reviews.guest_erasure")
    for signal in (order_paid, order_canceled, order_releasing):
        signal.connect(refresh_verified_after_commit, dispatch_uid="reviews.verified")
