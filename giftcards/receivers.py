"""How gift cards follow orders and customers (connected in GiftcardsConfig.ready())."""

from customers.signals import customer_deleting, customer_erasure_check
from orders import extensions, signals

from . import erasure, services


def issue_on_paid(sender, order, marked_by=None, **kwargs):
    services.issue_for_paid_order(order, marked_by=marked_by)


def reverse_on_cancel(sender, order, **kwargs):
    services.on_order_canceled(order)


def cancel_check(sender, order, **kwargs):
    return services.cancel_refusal(order)


def lock_on_release(sender, order, **kwargs):
    services.lock_for_order_release(order)


def connect():
    extensions.register_checkout_step(
        extensions.CheckoutStep("giftcards", pay=services.pay_at_checkout)
    )
    extensions.register_refund_step(
        extensions.RefundStep(
            "giftcards",
            refund=services.refund_at_credit_note,
            to_account=services.credit_account_at_credit_note,
        )
    )
    extensions.register_credit_line_step(
        extensions.CreditLineStep("giftcards", credit=services.take_back_cards)
    )
    extensions.register_document_notes(
        extensions.DocumentNotes(
            "giftcards",
            credit_note=services.credit_note_notes,
            canceled_order=services.canceled_order_notes,
        )
    )
    signals.order_paid.connect(issue_on_paid, dispatch_uid="giftcards.issue_on_paid")
    signals.order_releasing.connect(lock_on_release, dispatch_uid="giftcards.lock_on_release")
    signals.order_canceled.connect(reverse_on_cancel, dispatch_uid="giftcards.reverse_on_cancel")
    signals.order_cancel_check.connect(cancel_check, dispatch_uid="giftcards.cancel_check")
    customer_erasure_check.connect(
        erasure.on_customer_erasure_check, dispatch_uid="giftcards.erasure_check"
    )
    customer_deleting.connect(erasure.on_customer_deleting, dispatch_uid="giftcards.erasure")
