"""Customer events other apps hook into.

- ``customer_deleting(customer, by)``: sent inside the deletion transaction, before the account
  row is deleted and the customer's orders are deleted (test customer) or anonymised. Apps
  that keep personal data about the customer (threads, reviews, credit) erase or anonymise it
  here; raising aborts the deletion.
"""

from django.dispatch import Signal

customer_deleting = Signal()
