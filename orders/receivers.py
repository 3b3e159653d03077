"""How orders follow customers (connected in OrdersConfig.ready())."""

from customers.signals import (
    customer_addresses,
    customer_deleting,
    customer_erasure_check,
    guest_deleting,
    person_details,
)

from . import erasure


def connect():
    customer_erasure_check.connect(
        erasure.on_customer_erasure_check, dispatch_uid="orders.erasure_check"
    )
    customer_deleting.connect(erasure.on_customer_deleting, dispatch_uid="orders.erasure")
    customer_addresses.connect(erasure.customer_addresses, dispatch_uid="orders.addresses")
    guest_deleting.connect(erasure.on_guest_deleting, dispatch_uid="orders.guest_erasure")
    person_details.connect(erasure.person_details_of_orders, dispatch_uid="orders.details")
