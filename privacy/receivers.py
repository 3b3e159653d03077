"""The record of each erasure of a customer (GDPR Art. 5(2): the controller can show that and
how a person was erased), written in the erasure's own transaction.

``customers.services.delete_customer`` first asks the apps what stands in the way
(``customer_erasure_check``, nothing changed yet), then lets them erase
(``customer_deleting``). The privacy app is the highest: its ``customer_deleting`` receiver
runs after the apps' own have anonymised and unlinked the rows, when nothing says any more
which orders, threads and reviews were the person's. So the counts are taken at the check,
on the customer row the deletion holds locked (the same object is then passed to
``customer_deleting``), and written by the ``customer_deleting`` receiver: rolled back with
the erasure when a receiver refuses it. The deletion pages send the check too (to show the
refusals); the counts taken there are never written.
"""

from customers.erasure import own_addresses

PLAN = "_privacy_erasure_counts"


def erasure_counts(customer):
    """What erasing ``customer`` now does to the person's records: counts only."""
    from customers.erasure import PersonDetails
    from customers.models import VatIdCheck
    from helpdesk.erasure import customer_threads
    from orders.erasure import invoiced_order_count, person_orders
    from orders.models import CreditNote, Invoice
    from reviews.erasure import customer_reviews

    emails = own_addresses(customer)
    orders = person_orders(customer, PersonDetails(emails=emails))
    pending = orders.cancelable_pending().count()
    order_count = orders.count()
    test_erased = customer.is_test and not invoiced_order_count(customer, orders)
    threads = customer_threads(customer, emails).count()
    reviews = customer_reviews(customer, emails).count()
    invoices = Invoice.objects.filter(order__in=orders)
    # The VIES checks of the person's VAT IDs (their account's, orders' and invoices'): tax
    # proof of the invoices without VAT, kept with them (customers.personal_data).
    vat_ids = {
        customer.vat_id,
        *orders.values_list("billing_vat_id", flat=True),
        *invoices.values_list("buyer_vat_id", flat=True),
    } - {""}
    return {
        "orders_anonymised": 0 if test_erased else order_count,
        "orders_deleted": order_count if test_erased else 0,
        "orders_canceled": pending,
        "invoices_kept": invoices.count(),
        "credit_notes_kept": CreditNote.objects.filter(invoice__order__in=orders).count(),
        "vat_id_checks_kept": VatIdCheck.objects.filter(vat_id__in=vat_ids).count(),
        "threads_anonymised": 0 if customer.is_test else threads,
        "threads_deleted": threads if customer.is_test else 0,
        "reviews_anonymised": 0 if customer.is_test else reviews,
        "reviews_deleted": reviews if customer.is_test else 0,
    }


def count_before_erasure(sender, customer=None, by=None, **kwargs):
    """``customer_erasure_check``: never refuses; notes the counts on the customer object."""
    if customer is not None and customer.pk is not None:
        setattr(customer, PLAN, erasure_counts(customer))
    return None


def record_erasure(sender, customer, by=None, **kwargs):
    """``customer_deleting``: the erasure record; its summary goes into the deletion's
    (``erasure_summary``: what the operator is told)."""
    from .models import ErasureRecord

    counts = getattr(customer, PLAN, None)
    if counts is None:  # not deleted through delete_customer's check (should not happen)
        counts = erasure_counts(customer)
    staff = by if by is not None and getattr(by, "is_staff", False) else None
    record = ErasureRecord.objects.create(
        customer_number=customer.customer_number or str(customer.pk),
        staff=staff,
        staff_name=staff.get_username() if staff else "",
        by_customer=by is None,
        test_customer=customer.is_test,
        counts={key: n for key, n in counts.items() if n},
    )
    return {"erasure_summary": str(record.summary())}


def connect():
    from customers.signals import customer_deleting, customer_erasure_check

    customer_erasure_check.connect(count_before_erasure, dispatch_uid="privacy.erasure_counts")
    customer_deleting.connect(record_erasure, dispatch_uid="privacy.erasure_record")
