"""How helpdesk threads follow customers (connected in HelpdeskConfig.ready())."""

from customers.signals import customer_addresses, customer_deleting, guest_deleting

from . import erasure


def connect():
    customer_deleting.connect(erasure.on_customer_deleting, dispatch_uid="helpdesk.erasure")
    customer_addresses.connect(erasure.customer_addresses, dispatch_uid="helpdesk.addresses")
    guest_deleting.connect(erasure.on_guest_deleting, dispatch_uid="helpdesk.guest_erasure")
