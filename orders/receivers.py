"""How orders follow customers (connected in OrdersConfig.ready())."""

from customers.signals import customer_addresses, customer_deleting

from . import erasure


def connect():
    customer_deleting.connect(erasure.on_customer_deleting, dispatch_uid="orders.erasure")
    customer_addresses.connect(erasure.customer_addresses, dispatch_uid="orders.addresses")
