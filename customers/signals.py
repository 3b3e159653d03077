"""Customer events other apps hook into.

- ``customer_erasure_check(customer, by, emails)``: sent before anything of a deletion is
  done (by ``delete_customer`` inside its transaction, and by the deletion page before the
  operator confirms), and before a guest's erasure (``guest_erasure_refusal``: ``customer``
  None, ``emails`` the guest's address). A receiver returns a ``DomainError`` saying what stands in the way of erasing
  the customer now — in the words of ``by``, the operator, or of the customer themselves
  when ``by`` is None — or None. A check whose answer the erasure's own steps would change
  belongs here (canceling the unpaid orders gives their credit payments back), so the
  refusal names what the operator sees and can act on. Open business with the person (an
  order paid and not shipped, an open return, an unprocessed withdrawal statement, a refund
  not paid out yet) refuses
  too (``orders.erasure.open_business_refusal``).
- ``customer_addresses(customer)``: sent by the deletion before ``customer_deleting``. A
  receiver returns the e-mail addresses the person used in its app other than the account's
  own (orders placed before the address was changed, threads written from another
  address): the e-mails sent to them go with the account.
- ``person_details(customer, emails)``: sent by ``customers.erasure.person_details`` before
  anything is erased, for a customer (``customer``) or a guest (``customer`` None) known by
  the e-mail addresses ``emails`` (their own). A receiver returns a dict with ``phones``
  and/or ``streets``: what the person gave in its app (the orders' phones, billing and
  shipping streets), to be taken out of free texts with the names.
- ``customer_deleting(customer, by, details)``: sent inside the deletion transaction, before
  the account row is deleted and the customer's orders are deleted (test customer) or
  anonymised. Apps that keep personal data about the customer (threads, reviews, credit)
  erase or anonymise it here; raising aborts the deletion. ``details``: the person's
  ``customers.erasure.PersonDetails``, read before any receiver changed a row.
- ``guest_deleting(email, by, details)``: the erasure of a guest known only by e-mail
  (``customers.services.delete_guest``), inside its transaction: apps erase or anonymise what
  they hold under that address as they do for a customer's (orders, threads, reviews).
- ``points_owed(customer_id)``: sent by ``customers.loyalty`` inside the transaction that took
  back the points of an undone order (canceled, refunded in full or in part) when that left
  the balance below zero — the points had been spent. Apps that sold something for points
  void what is still unused and give its points back (vouchers: codes bought with points).
"""

from django.dispatch import Signal

customer_erasure_check = Signal()
customer_addresses = Signal()
customer_deleting = Signal()
person_details = Signal()
guest_deleting = Signal()
points_owed = Signal()
