"""Customer events other apps hook into.

- ``customer_erasure_check(customer, by)``: sent before anything of a deletion is done (by
  ``delete_customer`` inside its transaction, and by the deletion page before the operator
  confirms). A receiver returns a ``DomainError`` saying what stands in the way of erasing
  the customer now — in the words of ``by``, the operator, or of the customer themselves
  when ``by`` is None — or None. A check whose answer the erasure's own steps would change
  belongs here (canceling the unpaid orders gives their credit payments back), so the
  refusal names what the operator sees and can act on.
- ``customer_addresses(customer)``: sent by the deletion before ``customer_deleting``. A
  receiver returns the e-mail addresses the person used in its app other than the account's
  own (orders placed before the address was changed, threads written from another
  address): the e-mails sent to them go with the account.
- ``customer_deleting(customer, by)``: sent inside the deletion transaction, before the account
  row is deleted and the customer's orders are deleted (test customer) or anonymised. Apps
  that keep personal data about the customer (threads, reviews, credit) erase or anonymise it
  here; raising aborts the deletion.
"""

from django.dispatch import Signal

customer_erasure_check = Signal()
customer_addresses = Signal()
customer_deleting = Signal()
