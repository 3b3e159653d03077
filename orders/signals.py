"""Order events other apps hook into. They are sent inside the transaction that changes the
order, so a receiver that raises rolls the whole operation back.

- ``order_placed(order)``: after the order and its lines are saved at checkout.
- ``order_paid(order, marked_by)``: when the payment status becomes Paid (capture or "Mark as
  paid"). ``marked_by``: the staff member who recorded a payment by hand ("Mark as paid",
  the bulk action, a part payment that completes it), None for a captured card payment or a
  payment the shop recorded itself — whose limits a receiver may apply.
- ``order_canceled(order)``: when the order is canceled; receivers reverse their effects
  (voucher use, gift-card and credit payments, loyalty points).
- ``order_cancel_check(order)``: asked before a cancellation or a full refund is offered (the
  operator's confirmation page) and by the operation itself: a receiver returns a
  ``DomainError`` saying what stands in the way of undoing the whole order (a gift card bought
  with it has been spent), or None. Changes nothing.
- ``order_releasing(order, final)``: under the order's row lock, before a cancellation or a
  credit note changes anything (``final``: the order will be canceled or closed). Receivers
  lock the rows they are going to change, so that every transaction takes its locks in the
  placement's order — customer, discount code and campaign, gift cards and account credit,
  then product stock — and a cancellation never waits for a placement that waits for it
  (a deadlock). ``orders`` locks the stock rows last.
"""

from django.dispatch import Signal

order_placed = Signal()
order_paid = Signal()
order_canceled = Signal()
order_cancel_check = Signal()
order_releasing = Signal()
