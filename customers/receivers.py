"""What the customers app itself does when a customer is erased, besides deleting the account
(``services.delete_customer``): the records the shop's core keeps about the person by their
address or their rows, which no other app owns.

- the login throttle's records and back-in-stock notices under any address the account had
  (``shop.erasure.forget_addresses``);
- the backoffice's change history of the account and of every row pointing at it (orders,
  addresses, threads, reviews …): who changed what and when stays, the person's name and
  address leave it (``shop.adminlog``).

A guest erased by e-mail (``guest_deleting``) loses the login records under their address
the same way. The history of what other apps erase or anonymise — orders, threads, reviews,
also those found only by an address, not by the account — is scrubbed by each app's own
receiver (``orders.erasure``, ``helpdesk.erasure``, ``reviews.erasure``), for a customer and
a guest alike.

Connected in ``CustomersConfig.ready()``, before the apps above connect theirs: the
customer's rows must still point at the account (its orders are anonymised and unlinked by
the orders app's receiver).
"""

from django.contrib.admin.models import LogEntry
from django.utils.translation import gettext as _

from shop import adminlog, erasure

from . import signals
from .erasure import person_names, scrubber


def forget_person(sender, customer, by=None, **kwargs):
    addresses = [customer.email, *(customer.previous_emails or [])]
    deleted = _("Deleted")
    clean = scrubber((identifier, deleted) for identifier in [*addresses, *person_names(customer)])
    adminlog.scrub_history(
        adminlog.related_objects(customer, skip=(LogEntry,)),
        clean,
        deleted,
        whole=(type(customer),),
    )
    erasure.forget_addresses(*addresses)  # login records, back-in-stock notices


def forget_guest(sender, email, by=None, details=None, **kwargs):
    """``guest_deleting``: the login throttle's records under the guest's addresses (someone
    tried to log in with them). The change history of the guest's orders, threads and
    reviews is their apps' (``orders.erasure.scrub_order_history``,
    ``helpdesk.erasure.scrub_thread_history``, ``reviews.erasure.scrub_review_history``)."""
    addresses = {email, *(details.emails if details is not None else ())}
    erasure.forget_addresses(*addresses)


def connect():
    signals.customer_deleting.connect(forget_person, dispatch_uid="customers.forget_person")
    signals.guest_deleting.connect(forget_guest, dispatch_uid="customers.forget_guest")
