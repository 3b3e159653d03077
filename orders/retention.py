"""Retention of orders and invoices (registered in personal_data.declare, run by
shop.retention). Orders are never deleted — vouchers, gift cards and statistics refer to
them — but anonymised like an erased customer's (orders.erasure), their backoffice change
history too (``shop.adminlog``): the same functions as the erasure's, so what an erasure
takes out of the history, retention takes out as well."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from .aftersales import Withdrawal
from .erasure import (
    anonymise_orders,
    anonymise_withdrawals,
    scrub_invoice_history,
    with_money_owed,
)
from .models import CreditNote, Invoice, Order

PLACEHOLDER = Q(email__startswith="deleted-", email__endswith="@invalid")


def _not_anonymised(orders):
    return orders.exclude(PLACEHOLDER)


def _apply(orders, dry_run):
    # A refund still to pay out needs the person's name and address: such an order waits
    # for a later run (an audit: a guest's pending refund lost them).
    orders = _not_anonymised(orders).exclude(pk__in=with_money_owed(orders).values("pk"))
    if dry_run:
        return orders.count()
    return anonymise_orders(orders.order_by("pk"))


def anonymise_guest_orders(cutoff, dry_run=False):
    """Guest orders placed before ``cutoff``: their invoices keep their own buyer copy."""
    return _apply(Order.objects.filter(customer__isnull=True, created__lt=cutoff), dry_run)


def anonymise_orders_without_invoice(cutoff, dry_run=False):
    invoiced = Exists(Invoice.objects.filter(order=OuterRef("pk")))
    return _apply(Order.objects.filter(~invoiced, created__lt=cutoff), dry_run)


def anonymise_unmatched_withdrawals(cutoff, dry_run=False):
    """Withdrawal statements that matched no order (a wrong order number, a stranger's
    e-mail) received before ``cutoff``; those of an order follow the order."""
    withdrawals = Withdrawal.objects.filter(order__isnull=True, received_at__lt=cutoff).exclude(
        email__startswith="deleted-"
    )
    if dry_run:
        return withdrawals.count()
    return anonymise_withdrawals(withdrawals.order_by("pk"))


def anonymise_invoices(cutoff, dry_run=False):
    """Invoices (and their credit notes) dated before ``cutoff``: the buyer data of the
    invoice and its order is anonymised; numbers, lines and amounts stay."""
    credited_later = Exists(CreditNote.objects.filter(invoice=OuterRef("pk"), created__gte=cutoff))
    invoices = Invoice.objects.filter(~credited_later, created__lt=cutoff).exclude(
        buyer_email__startswith="deleted-", buyer_email__endswith="@invalid"
    )
    if dry_run:
        return invoices.count()
    deleted = _("Deleted")
    count = 0
    for invoice in invoices.select_for_update(of=("self",)).only("pk", "order_id"):
        # while the invoice still names the buyer (its order may be anonymised already)
        scrub_invoice_history(Invoice.objects.filter(pk=invoice.pk))
        Invoice.objects.filter(pk=invoice.pk).update(
            buyer_name=deleted,
            buyer_company="",
            buyer_street=deleted,
            buyer_postcode="",
            buyer_city="",
            buyer_email=f"deleted-i{invoice.pk}@invalid",
            customer_number="",
        )
        _apply(Order.objects.filter(pk=invoice.order_id), dry_run=False)
        count += 1
    return count
