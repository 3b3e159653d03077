"""Erasure of a customer's orders (receiver of ``customers.signals.customer_deleting``).

- Unpaid orders still pending (nothing invoiced or shipped) are canceled first: stock, codes,
  gift-card and credit payments come back as on any cancellation, and nobody is left to
  deliver to or to collect from.
- A test customer's orders are deleted with the account — unless one of them was invoiced:
  invoices and credit notes are never deleted (gapless number series, retention duty), so
  such a test customer is erased like a real one.
- A real customer's orders stay for the books with the personal data replaced by
  placeholders; the invoices keep their own snapshot of the buyer.
"""

from django.db.models import ProtectedError, Q, RestrictedError
from django.utils.translation import gettext as _

from customers.erasure import person_names, scrubber
from customers.services import CustomerError
from shop import events

from .aftersales import Return, Withdrawal
from .models import Invoice, Order, OrderComment
from .services.lifecycle import cancel_order


def anonymise_orders(orders):
    """Replace personal data in orders, their withdrawal statements and return notes;
    amounts, items and dates and the invoices' own snapshot stay."""
    deleted = _("Deleted")
    count = 0
    for order in orders.select_for_update():
        anonymise_aftersales(order)
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


def person_needles(customer):
    """The account's e-mail address, whole name and name parts (``customers.erasure``)."""
    return [customer.email, *person_names(customer)]


def anonymise_aftersales(order):
    """The withdrawal statements, return notes and history of ``order`` (retention or
    erasure): the names, addresses and free texts go, what was withdrawn, returned or done
    and when stays."""
    needles = [
        order.email,
        f"{order.billing_first_name} {order.billing_last_name}",
        f"{order.shipping_first_name} {order.shipping_last_name}",
        order.billing_first_name,
        order.billing_last_name,
        order.shipping_first_name,
        order.shipping_last_name,
    ]
    if order.customer_id is not None:  # the account's own name and address, if different
        needles += person_needles(order.customer)
    anonymise_withdrawals(Withdrawal.objects.filter(order=order), needles)
    _scrub_return_notes(Return.objects.filter(order=order), needles)
    _scrub_comments(OrderComment.objects.filter(order=order), needles)


def _deleted(identifiers):
    """The order side's rule: every identifier of the person becomes "Deleted", the
    longest first (``customers.erasure``)."""
    deleted = _("Deleted")
    return scrubber((identifier, deleted) for identifier in identifiers)


def anonymise_withdrawals(withdrawals, needles=()):
    """Replace name, e-mail and the names in the free texts of ``withdrawals``; the order,
    the items and the dates stay. Returns how many were anonymised."""
    deleted = _("Deleted")
    count = 0
    for withdrawal in withdrawals.exclude(email__startswith="deleted-").select_for_update():
        # the whole name and each of its parts (a first name alone in the text)
        clean = _deleted([*needles, withdrawal.name, withdrawal.email, *withdrawal.name.split()])
        Withdrawal.objects.filter(pk=withdrawal.pk).update(
            customer=None,
            name=deleted,
            email=f"deleted-withdrawal-{withdrawal.pk}@invalid",
            reason=clean(withdrawal.reason),
            items_text=clean(withdrawal.items_text),
        )
        count += 1
    return count


def _scrub_return_notes(returns, needles):
    clean = _deleted(needles)
    for ret in returns.exclude(note="").select_for_update():
        Return.objects.filter(pk=ret.pk).update(note=clean(ret.note))


def _scrub_comments(comments, needles):
    """The order's history: the staff's comments and the events (an e-mail address in "sent
    by e-mail to …", in the stored text and in the values it is written from again)."""
    clean = _deleted(needles)
    for comment in comments.select_for_update():
        text, message = clean(comment.text), events.scrub_values(comment.message, clean)
        if text != comment.text or message != comment.message:
            OrderComment.objects.filter(pk=comment.pk).update(text=text, message=message)


def scrub_aftersales(customer, orders):
    """Withdrawal statements and return notes of the customer's orders (or sent by the
    customer) keep their dates, items and amounts; names, addresses and free texts go."""
    needles = person_needles(customer)
    withdrawals = Withdrawal.objects.filter(
        Q(order__in=orders) | Q(customer=customer) | Q(email__iexact=customer.email)
    )
    anonymise_withdrawals(withdrawals, needles)
    _scrub_return_notes(Return.objects.filter(order__in=orders), needles)


def cancel_unpaid_pending_orders(orders, by=None):
    """Cancel the orders nothing has happened to yet; returns how many."""
    pending = orders.cancelable_pending()
    count = 0
    for order in pending.order_by("pk"):
        cancel_order(order, user=by)
        count += 1
    return count


def invoiced_order_count(customer):
    """Orders of ``customer`` with an invoice: they decide that a test customer is erased
    like a real one (shown on the deletion page before the operator confirms)."""
    return Invoice.objects.filter(order__customer=customer).values("order").distinct().count()


def erase_customer(customer, by=None):
    """Returns what happened to the orders, for the deletion summary."""
    orders = Order.objects.filter(customer=customer)
    canceled = cancel_unpaid_pending_orders(orders, by=by)
    invoiced = invoiced_order_count(customer)
    scrub_aftersales(customer, orders)
    if not customer.is_test or invoiced:
        return {
            "orders_deleted": 0,
            "orders_anonymised": anonymise_orders(orders),
            "orders_canceled": canceled,
            "orders_invoiced": invoiced,
        }
    count = orders.count()
    try:
        orders.delete()
    except (ProtectedError, RestrictedError):
        raise CustomerError(
            _(
                "The orders of this test customer are referenced by other records "
                "and cannot be deleted."
            )
        ) from None
    return {
        "orders_deleted": count,
        "orders_anonymised": 0,
        "orders_canceled": canceled,
        "orders_invoiced": 0,
    }


def on_customer_deleting(sender, customer, by=None, **kwargs):
    return erase_customer(customer, by=by)


def customer_addresses(sender, customer, **kwargs):
    """The addresses the person's orders were placed under (``customer_addresses``): an
    order from before the account's address changed."""
    return set(
        Order.objects.filter(customer_id=customer.pk)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
