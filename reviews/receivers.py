"""How reviews follow customers (connected in ReviewsConfig.ready())."""

from customers.signals import customer_deleting, guest_deleting

from . import erasure


def connect():
    customer_deleting.connect(erasure.on_customer_deleting, dispatch_uid="reviews.erasure")
    guest_deleting.connect(erasure.on_guest_deleting, dispatch_uid="reviews.guest_erasure")
