"""Order e-mails that follow a step the services record without an e-mail of their own.

``refund_paid_out``: the operator has recorded that the money owed back through the payment
method has gone out (a credit note's payout, ``services.mark_refunded``; a canceled paid
order's, ``services.mark_cancellation_refunded``). The customer was told it would be paid
back (the credit-note e-mail, the order page); this tells them it has been.

``payment_received``: the operator has recorded a payment the customer made outside the
checkout (a bank transfer that arrived), with what they paid in excess.

``part_payment_received``: the operator has recorded a payment of less than was due (a bank
transfer of too little): what arrived, what is still due and how to pay it.

``return_received``: the operator has marked a returned parcel received; the credit note
follows with its own e-mail.

``shipment_delivered``: the operator has entered the date a parcel was delivered
(``services.set_delivered``): the withdrawal period runs from the delivery of the last
parcel, so the customer learns until when they can withdraw — or that more is to follow.

``order_canceled``: the operator has canceled the order (``services.cancel_order``; an
invoiced one with a credit note, ``services.lifecycle.cancel_with_credit_note``): what
happens to the money and to what was bought with it, and — when the operator chose to tell
it — why.

Called inside the service's transaction: the outbox row is written with it, and sent after
commit.
"""

from django.conf import settings
from django.utils import translation

from shop.mail import queue_email

from . import extensions, links
from .models import Invoice


def _method_name(order):
    """The order's payment method as its e-mail names it: in the order's language (the
    operator who records the payout may read the backoffice in another)."""
    if order.payment_method is None:
        return ""
    with translation.override(order.language or settings.LANGUAGE_CODE):
        return order.payment_method.name


def _no_address(order):
    return not order.email or order.email.endswith("@invalid")


def reaches(order):
    """Whether e-mails to the customer of ``order`` go anywhere (not after an erasure)."""
    return not _no_address(order)


def order_canceled(
    order,
    was_paid,
    was_authorized,
    *,
    reason="",
    reason_sentence="",
    credit_note=None,
    attachments=None,
):
    """Queue "your order has been canceled" for ``order`` (in the order's language), after the
    ``order_canceled`` receivers: what the payment method collected and is owed back
    (``payout_due``, said as the refund e-mails say it), what went back to the gift card and
    the account credit, the discount code that is free again, the authorization released, or
    — unpaid — that nothing is to be paid; and what the apps add (gift cards bought with the
    order that are no longer valid). None for an order without an address (erased).

    ``reason`` (the operator's words) and ``reason_sentence`` (a quick reason as the customer
    reads it, lazy: written in the order's language): the reason, when the operator tells
    it. ``credit_note``: the note that canceled the invoiced order, attached
    (``attachments``)."""
    if _no_address(order):
        return None
    return queue_email(
        "order_canceled",
        order.email,
        {
            "order": order,
            "was_paid": was_paid,
            "was_authorized": was_authorized,
            "reason": reason,
            "reason_sentence": reason_sentence,
            "credit_note": credit_note,
            "invoice": credit_note.invoice if credit_note else None,
            # (part payments received are owed back: ``payout_due`` says so)
            "payment_open": not was_paid
            and not was_authorized
            and order.amount_due > 0
            and not order.payout_due,
            "method": _method_name(order),
            "kind": order.payment_method.kind if order.payment_method else "",
            "document_notes": extensions.canceled_order_notes(order, order.language),
            "order_url": links.customer_order_url(order),
        },
        language=order.language,
        attachments=attachments,
    )


def payment_received(order, received, to_ship):
    """Queue "we have received your payment" for ``order`` (in the order's language), when
    the operator marks a payment as arrived (``services.mark_paid``: a bank transfer, cash
    on delivery …): ``received`` what arrived, with the part paid in excess and how it goes
    back; ``to_ship``: goods are still to be sent. A card capture and an order paid in
    full by gift card or credit send none (the customer paid at checkout). None for an
    order without an address (erased)."""
    return _payment_email("order_payment_received", order, received, to_ship)


def part_payment_received(order, received, to_ship):
    """Queue "we have received part of your payment" for ``order`` (in the order's language)
    when the operator records a payment of less than was due (``services.mark_paid``):
    ``received`` what arrived now, the part payments so far, what is still due
    (``Order.balance_due``) and how to pay it — the bank details and reference of the order
    confirmation, or cash on delivery; ``to_ship``: goods wait for the rest (a prepayment
    order). None for an order without an address (erased)."""
    return _payment_email("order_part_payment", order, received, to_ship)


def _payment_email(template, order, received, to_ship):
    if _no_address(order):
        return None
    return queue_email(
        template,
        order.email,
        {
            "order": order,
            "received": received,
            "to_ship": to_ship,
            "order_url": links.customer_order_url(order),
            # invoiced: the rest is paid with the invoice's number as the reference, as the
            # invoice asks (the order's number named another one)
            "invoice": Invoice.objects.filter(order=order).first(),
        },
        language=order.language,
    )


def return_received(order, return_request):
    """Queue "your return has arrived" for ``order`` (in the order's language) when the
    operator marks the parcel received (``services.receive_return``): which items, and that
    the credit note follows (or, refunded before the parcel arrived, which one it was). None for an order without an address (erased)."""
    if _no_address(order):
        return None
    return queue_email(
        "order_return_received",
        order.email,
        {
            "order": order,
            "return_number": return_request.number,
            "items": [
                {"name": line.order_line.name, "quantity": line.quantity}
                for line in return_request.lines.select_related("order_line")
            ],
            "order_url": links.customer_order_url(order),
            # refunded before the parcel arrived: the note was sent already
            "credit_note_number": return_request.credit_note.number
            if return_request.credit_note_id
            else "",
        },
        language=order.language,
    )


def shipment_delivered(order, shipment, delivered_on, to_follow, withdraw_until):
    """Queue "your parcel has been delivered" for ``order`` (in the order's language) when
    the operator enters the delivery date of ``shipment`` for the first time: which items,
    the date; ``to_follow``: goods of the order are still to come (the withdrawal period has
    not started); ``withdraw_until``: the last day of the withdrawal period now running,
    None when the customer can no longer withdraw (the period is over, everything has been
    withdrawn from) — the e-mail then names no deadline. None for an order without an
    address (erased)."""
    if _no_address(order):
        return None
    return queue_email(
        "order_shipment_delivered",
        order.email,
        {
            "order": order,
            "shipment_number": shipment.number,
            "delivered_on": delivered_on,
            "items": [
                {"name": line.order_line.name, "quantity": line.quantity}
                for line in shipment.lines.select_related("order_line")
            ],
            "to_follow": to_follow,
            "withdraw_until": withdraw_until,
            # The page's wording: a customer who has withdrawn from part of the order can
            # withdraw from the rest.
            "withdrawn_before": withdraw_until is not None and order.withdrawals.exists(),
            "withdrawal_url": links.withdrawal_url(order),
            "order_url": links.customer_order_url(order),
        },
        language=order.language,
    )


def refund_paid_out(order, amount, credit_note=None, overpayment=False):
    """Queue "your refund of ``amount`` has been paid out" for ``order`` (in the order's
    language), naming ``credit_note`` if the payout was a credit note's, saying "what you
    paid in excess" for an ``overpayment``. None for an order without an address (erased)."""
    if _no_address(order) or amount <= 0:
        return None
    method = credit_note.invoice.payment_method_name if credit_note else None
    return queue_email(
        "order_refund_paid_out",
        order.email,
        {
            "order": order,
            "credit_note": credit_note,
            "overpayment": overpayment,
            "amount": amount,
            "method": method or _method_name(order),
            "order_url": links.customer_order_url(order),
        },
        language=order.language,
    )
