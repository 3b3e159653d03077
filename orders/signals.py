"""Order events other apps hook into. They are sent inside the transaction that changes the
order, so a receiver that raises rolls the whole operation back.

- ``order_placed(order)``: after the order and its lines are saved at checkout.
- ``order_paid(order)``: when the payment status becomes Paid (capture or "Mark as paid").
- ``order_canceled(order)``: when the order is canceled; receivers reverse their effects
  (voucher use, gift-card and credit payments, loyalty points).
"""

from django.dispatch import Signal

order_placed = Signal()
order_paid = Signal()
order_canceled = Signal()
