"""Order e-mails that follow a step the services record without an e-mail of their own.

``refund_paid_out``: the operator has recorded that the money owed back through the payment
method has gone out (a credit note's payout, ``services.mark_refunded``; a canceled paid
order's, ``services.mark_cancellation_refunded``). The customer was told it would be paid
back (the credit-note e-mail, the order page); this tells them it has been. Called inside
the service's transaction: the outbox row is written with it, and sent after commit.
"""

from shop.mail import queue_email

from . import links


def refund_paid_out(order, amount, credit_note=None):
    """Queue "your refund of ``amount`` has been paid out" for ``order`` (in the order's
    language), naming ``credit_note`` if the payout was a credit note's. None for an order
    without an address (erased)."""
    if not order.email or order.email.endswith("@invalid") or amount <= 0:
        return None
    method = credit_note.invoice.payment_method_name if credit_note else None
    return queue_email(
        "order_refund_paid_out",
        order.email,
        {
            "order": order,
            "credit_note": credit_note,
            "amount": amount,
            "method": method or (order.payment_method.name if order.payment_method else ""),
            "order_url": links.customer_order_url(order),
        },
        language=order.language,
    )
