"""Erasure of a customer's orders (receiver of ``customers.signals.customer_deleting``).

- Unpaid orders still pending (nothing invoiced or shipped) are canceled first: stock, codes,
  gift-card and credit payments come back as on any cancellation, and nobody is left to
  deliver to or to collect from.
- A test customer's orders are deleted with the account — unless one of them was invoiced:
  invoices and credit notes are never deleted (gapless number series, retention duty), so
  such a test customer is erased like a real one.
- A real customer's orders stay for the books with the personal data replaced by
  placeholders; the invoices keep their own snapshot of the buyer.
- The person's orders are those of the account and the guest orders placed under any of the
  person's addresses (the account's, its earlier ones: ``PersonDetails.emails``); a guest
  erased by e-mail (``guest_deleting``) has only the latter, treated like a real customer's.
"""

from django.db.models import Case, ProtectedError, Q, RestrictedError, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.erasure import email_in, person_details, person_names, scrubber
from customers.services import CustomerError
from shop import adminlog, events

from .aftersales import Return, Withdrawal
from .models import CreditNote, Invoice, Order, OrderComment
from .services.lifecycle import FINAL_STATES, cancel_order, order_state


def anonymise_orders(orders, needles=(), *, history=True):
    """Replace personal data in orders, their withdrawal statements and return notes, and
    take the buyer out of their backoffice change history (:func:`scrub_order_history`);
    amounts, items and dates and the invoices' own snapshot stay. ``needles``: what else
    identifies the person in the orders' texts (an erasure's phones and streets); without
    them, what the order's account says (retention). ``history=False``: the caller has
    scrubbed the history already (the erasure, with every identifier of the person)."""
    deleted = _("Deleted")
    count = 0
    for order in orders.select_for_update(of=("self",)).select_related("customer"):
        own = needles
        if order.customer_id is not None and not own:  # the account's own, if different
            own = person_needles(order.customer)
        if history:  # while the order still says who bought it
            scrub_order_history([order], own)
        anonymise_aftersales(order, own)
        placeholder = f"deleted-{order.number or order.pk}@invalid"
        Order.objects.filter(pk=order.pk).update(
            customer=None,
            email=placeholder,
            phone="",
            customer_note="",
            # A business buyer's VAT ID and references name them as much as their address;
            # the invoice keeps its own copy. A reverse-charge order must keep a VAT ID
            # (order_reverse_charge_has_vat_id): the placeholder.
            billing_vat_id=Case(
                When(reverse_charge=True, then=Value(deleted[:20])), default=Value("")
            ),
            buyer_reference="",
            purchase_order_reference="",
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


def person_needles(customer, details=None):
    """The account's e-mail addresses, whole name and name parts, phone numbers and streets
    (``customers.erasure``)."""
    if details is None:
        details = person_details(customer)
    return [customer.email, *details.emails, *person_names(customer), *details.needles()]


def order_needles(order):
    """What the order itself says about its buyer: e-mail address, names, phone, streets."""
    return [
        order.email,
        f"{order.billing_first_name} {order.billing_last_name}",
        f"{order.shipping_first_name} {order.shipping_last_name}",
        order.billing_first_name,
        order.billing_last_name,
        order.shipping_first_name,
        order.shipping_last_name,
        order.phone,
        order.billing_street,
        order.shipping_street,
    ]


def anonymise_aftersales(order, needles=()):
    """The withdrawal statements, return notes and history of ``order`` (retention or
    erasure): the names, addresses and free texts go, what was withdrawn, returned or done
    and when stays. ``needles``: what else identifies the person (the erasure's
    ``PersonDetails``)."""
    if order.customer_id is not None and not needles:  # the account's own, if different
        needles = person_needles(order.customer)
    needles = [*order_needles(order), *needles]
    # their change history goes with the order's (``scrub_order_history``)
    anonymise_withdrawals(Withdrawal.objects.filter(order=order), needles, history=False)
    _scrub_return_notes(Return.objects.filter(order=order), needles)
    _scrub_comments(OrderComment.objects.filter(order=order), needles)


def _deleted(identifiers):
    """The order side's rule: every identifier of the person becomes "Deleted", the
    longest first (``customers.erasure``)."""
    deleted = _("Deleted")
    return scrubber((identifier, deleted) for identifier in identifiers)


def anonymise_withdrawals(withdrawals, needles=(), *, history=True):
    """Replace name, e-mail and the names in the free texts of ``withdrawals``, and in their
    backoffice change history (``shop.adminlog``; ``history=False``: the caller scrubs it
    with the order's); the order, the items and the dates stay. Returns how many were
    anonymised."""
    deleted = _("Deleted")
    count = 0
    for withdrawal in withdrawals.exclude(email__startswith="deleted-").select_for_update():
        clean = _deleted([*needles, *_withdrawal_needles(withdrawal.name, withdrawal.email)])
        if history:
            adminlog.scrub_history({Withdrawal: [withdrawal.pk]}, clean, deleted)
        Withdrawal.objects.filter(pk=withdrawal.pk).update(
            customer=None,
            name=deleted,
            email=f"deleted-withdrawal-{withdrawal.pk}@invalid",
            reason=clean(withdrawal.reason),
            items_text=clean(withdrawal.items_text),
        )
        count += 1
    return count


def _withdrawal_needles(name, email):
    """What a withdrawal statement says about its author: the address, the whole name and
    each of its parts (a first name alone in a text)."""
    return [name, email, *name.split()]


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


def scrub_aftersales(customer, orders, details=None, needles=None):
    """Withdrawal statements and return notes of the person's orders (or sent by them) keep
    their dates, items and amounts; names, addresses and free texts go. ``customer`` is None
    for a guest (``details.emails``)."""
    if details is None:
        details = person_details(customer)
    if needles is None:
        needles = person_needles(customer, details)
    condition = Q(order__in=orders) | email_in("email", details.emails)
    if customer is not None:
        condition |= Q(customer=customer)
    anonymise_withdrawals(Withdrawal.objects.filter(condition), needles)
    _scrub_return_notes(Return.objects.filter(order__in=orders), needles)


def scrub_order_history(orders, needles=()):
    """Take the person out of the backoffice's change history of their orders, withdrawal
    statements and returns (``shop.adminlog``): who changed what and when stays. Run before
    the orders are anonymised: what each order says about its buyer (the guest's name, which
    no account knows) and what its withdrawal statements say about their author are needles
    too. The erasure's and retention's (through :func:`anonymise_orders`)."""
    orders = list(orders)
    if not orders:
        return 0
    identifiers = [*needles]
    for order in orders:
        identifiers.extend(order_needles(order))
    pks = [order.pk for order in orders]
    withdrawals = list(Withdrawal.objects.filter(order__in=pks).values_list("pk", "name", "email"))
    for _pk, name, email in withdrawals:  # who wrote a statement may not be the buyer
        identifiers.extend(_withdrawal_needles(name, email))
    objects = {
        Order: pks,
        Withdrawal: [pk for pk, _name, _email in withdrawals],
        Return: list(Return.objects.filter(order__in=pks).values_list("pk", flat=True)),
    }
    deleted = _("Deleted")
    return adminlog.scrub_history(objects, _deleted(identifiers), deleted)


def scrub_invoice_history(invoices):
    """Take the buyer out of the backoffice's change history of ``invoices`` and their credit
    notes (retention, when the invoices' own copy of the buyer is anonymised): the name,
    e-mail address and street the invoice and its order name. Run before they are
    anonymised. Returns the number of entries changed."""
    deleted = _("Deleted")
    changed = 0
    for invoice in invoices.select_related("order"):
        identifiers = [
            invoice.buyer_email,
            *person_names(None, invoice.buyer_name),
            invoice.buyer_street,
            *order_needles(invoice.order),
        ]
        objects = {
            Invoice: [invoice.pk],
            CreditNote: list(invoice.credit_notes.values_list("pk", flat=True)),
        }
        changed += adminlog.scrub_history(objects, _deleted(identifiers), deleted)
    return changed


def person_orders(customer, details):
    """The account's orders and the guest orders under the person's addresses."""
    guest = Q(customer__isnull=True) & email_in("email", details.emails)
    if customer is None:
        return Order.objects.filter(guest)
    return Order.objects.filter(Q(customer=customer) | guest)


def cancel_unpaid_pending_orders(orders, by=None):
    """Cancel the orders nothing has happened to yet; returns how many."""
    pending = orders.cancelable_pending()
    count = 0
    for order in pending.order_by("pk"):
        cancel_order(order, user=by, notify=False)
        count += 1
    return count


def invoiced_order_count(customer, orders=None):
    """Orders of ``customer`` with an invoice: they decide that a test customer is erased
    like a real one (shown on the deletion page before the operator confirms)."""
    if orders is None:
        orders = Order.objects.filter(customer=customer)
    return Invoice.objects.filter(order__in=orders).values("order").distinct().count()


def erase_customer(customer, by=None, details=None):
    """Returns what happened to the orders, for the deletion summary. ``customer`` is None
    for a guest known by ``details.emails``: erased like a real customer."""
    if details is None:
        details = person_details(customer)
    orders = person_orders(customer, details)
    canceled = cancel_unpaid_pending_orders(orders, by=by)
    invoiced = invoiced_order_count(customer, orders)
    if customer is None:
        needles = [*details.emails, *details.needles()]
    else:
        needles = person_needles(customer, details)
    scrub_order_history(orders, needles)
    scrub_aftersales(customer, orders, details, needles)
    if customer is None or not customer.is_test or invoiced:
        return {
            "orders_deleted": 0,
            "orders_anonymised": anonymise_orders(orders, needles, history=False),
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


# Payment taken (all of it, a part, or reserved on the card): the shop owes the goods or the
# money back.
_TAKEN = (*Order.PAID_STATUSES, Order.PaymentStatus.PARTLY_PAID, Order.PaymentStatus.AUTHORIZED)


def open_business(customer, emails=()):
    """What the shop still has to do for the person (``customer`` None: a guest known by
        ``emails``), as lists of order numbers: ``unshipped`` — orders paid or authorised and
        neither fully shipped nor canceled/closed/refunded (a pending order nothing was taken
        for, its card payment at most authorised, is not: the erasure cancels it); ``returns`` — returns requested or
        received; ``withdrawals`` — withdrawal statements not processed. Erasing now would leave
        them without anyone to ship to, refund or answer; ``payouts`` — orders whose payment
    status is "Refund pending": a credit note or a cancellation owes the customer money that
    has not been paid out yet, and the payout needs their name, bank account and address."""
    details = person_details(customer, emails=emails)
    orders = person_orders(customer, details)
    candidates = (
        orders.filter(payment_status__in=_TAKEN)
        .exclude(status__in=[*FINAL_STATES, Order.Status.COMPLETE])
        # a pending order with its card payment only authorised is canceled by the erasure
        # (the reservation voided), as an unpaid one is: nothing stands in the way
        .exclude(pk__in=orders.cancelable_pending().values("pk"))
        .order_by("number", "pk")
    )
    unshipped = [str(order) for order in candidates if not order_state(order).fully_shipped]
    returns = (
        Return.objects.filter(order__in=orders, status__in=Return.OPEN)
        .order_by("order__number")
        .values_list("order__number", flat=True)
        .distinct()
    )
    condition = Q(order__in=orders) | email_in("email", details.emails)
    if customer is not None:
        condition |= Q(customer=customer)
    withdrawals = []
    for withdrawal in (
        Withdrawal.objects.new().filter(condition).select_related("order").order_by("received_at")
    ):
        number = withdrawal.order.number if withdrawal.order_id else withdrawal.order_number
        withdrawals.append(number or "—")
    payouts = (
        orders.filter(payment_status=Order.PaymentStatus.REFUND_PENDING)
        .order_by("number", "pk")
        .values_list("number", flat=True)
    )
    return {
        "unshipped": unshipped,
        "returns": [number for number in returns if number],
        "withdrawals": list(dict.fromkeys(withdrawals)),
        "payouts": [number for number in payouts if number],
    }


def with_money_owed(orders):
    """The orders among ``orders`` whose customer is still owed money: a refund (a credit
    note's, a cancellation's) not paid out yet — paying it needs their name, bank account
    and address. Retention leaves them until the payout is recorded (the erasure refuses
    then too, :func:`open_business`)."""
    return orders.filter(payment_status=Order.PaymentStatus.REFUND_PENDING)


def open_business_refusal(customer, emails=(), by=None):
    """The refusal while there is open business with the person (:func:`open_business`), in
    the words of the operator ``by`` or, when None, of the customer deleting their own
    account; None when there is none."""
    found = open_business(customer, emails)
    operator = by is not None
    messages = []
    if found["unshipped"]:
        count, orders = len(found["unshipped"]), ", ".join(found["unshipped"])
        if operator:
            text = ngettext(
                "Order %(orders)s is paid (or its card payment authorised) and not shipped "
                "yet: ship or refund order %(orders)s first.",
                "Orders %(orders)s are paid (or their card payments authorised) and not "
                "shipped yet: ship or refund orders %(orders)s first.",
                count,
            )
        else:
            text = ngettext(
                "Your order %(orders)s has not been shipped yet. Please wait until it has "
                "arrived, or contact us to cancel it, before deleting your account.",
                "Your orders %(orders)s have not been shipped yet. Please wait until they "
                "have arrived, or contact us to cancel them, before deleting your account.",
                count,
            )
        messages.append(text % {"orders": orders})
    if found["returns"]:
        count, orders = len(found["returns"]), ", ".join(found["returns"])
        if operator:
            text = ngettext(
                "The return of order %(orders)s is still open: refund or reject it first.",
                "The returns of orders %(orders)s are still open: refund or reject them first.",
                count,
            )
        else:
            text = ngettext(
                "We are still processing the return of your order %(orders)s. Please delete "
                "your account once it is completed.",
                "We are still processing the returns of your orders %(orders)s. Please "
                "delete your account once they are completed.",
                count,
            )
        messages.append(text % {"orders": orders})
    if found["withdrawals"]:
        count, orders = len(found["withdrawals"]), ", ".join(found["withdrawals"])
        if operator:
            text = ngettext(
                "Process the withdrawal statement of order %(orders)s first.",
                "Process the withdrawal statements of orders %(orders)s first.",
                count,
            )
        else:
            text = ngettext(
                "We are still processing your withdrawal from order %(orders)s. Please "
                "delete your account once we have answered it.",
                "We are still processing your withdrawals from orders %(orders)s. Please "
                "delete your account once we have answered them.",
                count,
            )
        messages.append(text % {"orders": orders})
    if found["payouts"]:
        count, orders = len(found["payouts"]), ", ".join(found["payouts"])
        if operator:
            text = ngettext(
                "Order %(orders)s has a refund that is not paid out yet: pay it back and mark "
                "it as paid back first.",
                "Orders %(orders)s have refunds that are not paid out yet: pay them back and "
                "mark them as paid back first.",
                count,
            )
        else:
            text = ngettext(
                "We still have to pay you back money for your order %(orders)s. Please delete "
                "your account once you have received it.",
                "We still have to pay you back money for your orders %(orders)s. Please "
                "delete your account once you have received it.",
                count,
            )
        messages.append(text % {"orders": orders})
    return CustomerError(" ".join(messages)) if messages else None


def on_customer_erasure_check(sender, customer=None, by=None, emails=(), **kwargs):
    """``customers.signals.customer_erasure_check``: open business stops the erasure of a
    customer or (``customer`` None) of a guest known by ``emails``."""
    return open_business_refusal(customer, emails, by=by)


def on_customer_deleting(sender, customer, by=None, details=None, **kwargs):
    return erase_customer(customer, by=by, details=details)


def on_guest_deleting(sender, email, by=None, details=None, **kwargs):
    return erase_customer(None, by=by, details=details or person_details(None, [email]))


def person_details_of_orders(sender, customer=None, emails=(), **kwargs):
    """``customers.signals.person_details``: the phones and streets of the person's orders
    (the account's and the guest orders under their own addresses), not yet anonymised. The
    addresses an account's orders were placed under are not added: a customer may order
    under someone else's address, whose guest orders are not theirs."""
    condition = Q(customer__isnull=True) & email_in("email", emails)
    if customer is not None:
        condition |= Q(customer_id=customer.pk)
    rows = (
        Order.objects.filter(condition)
        .exclude(email__startswith="deleted-", email__endswith="@invalid")
        .values_list("phone", "billing_street", "shipping_street")
        .distinct()
    )
    found = {"phones": set(), "streets": set()}
    for phone, billing_street, shipping_street in rows:
        found["phones"].add(phone)
        found["streets"].update((billing_street, shipping_street))
    return found


def customer_addresses(sender, customer, **kwargs):
    """The addresses the person's orders were placed under (``customer_addresses``): an
    order from before the account's address changed."""
    return set(
        Order.objects.filter(customer_id=customer.pk)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
