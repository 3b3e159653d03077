"""How helpdesk threads follow customers (connected in HelpdeskConfig.ready())."""

from customers.signals import customer_deleting

from . import erasure


def connect():
    customer_deleting.connect(erasure.on_customer_deleting, dispatch_uid="helpdesk.erasure")
