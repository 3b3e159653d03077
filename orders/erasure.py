"""Erasure of a customer's orders (receiver of ``customers.signals.customer_deleting``).

- a test customer's orders are deleted with the account;
- a real customer's orders stay for the books with the personal data replaced by
  placeholders; the invoices keep their own snapshot of the buyer.
"""

from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from customers.services import CustomerError

from .models import Order


def anonymise_orders(orders):
    """Replace personal data in orders; amounts and the invoices' own snapshot stay."""
    deleted = _("Deleted")
    count = 0
    for order in orders.select_for_update():
        placeholder = f"deleted-{order.number or order.pk}@invalid"
        Order.objects.filter(pk=order.pk).update(
            customer=None,
            email=placeholder,
            phone="",
            customer_note="",
            billing_first_name=deleted,
            billing_last_name=deleted,
            billing_company="",
            billing_street=deleted,
            shipping_first_name=deleted,
            shipping_last_name=deleted,
            shipping_company="",
            shipping_street=deleted,
        )
        count += 1
    return count


def erase_customer(customer):
    """Returns what happened to the orders, for the deletion summary."""
    orders = Order.objects.filter(customer=customer)
    if not customer.is_test:
        return {"orders_deleted": 0, "orders_anonymised": anonymise_orders(orders)}
    count = orders.count()
    try:
        orders.delete()
    except (ProtectedError, RestrictedError):
        raise CustomerError(
            _(
                "The orders of this test customer are referenced by other records "
                "(e.g. invoices) and cannot be deleted."
            )
        ) from None
    return {"orders_deleted": count, "orders_anonymised": 0}


def on_customer_deleting(sender, customer, by=None, **kwargs):
    return erase_customer(customer)
