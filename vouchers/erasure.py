"""Erasure of a customer's discount codes (receiver of ``customers.signals.customer_deleting``).

- Codes assigned to the customer and never redeemed are unassigned and deactivated: their
  text was sent to the person, so it must neither go to another customer nor be usable
  anonymously (a free single-use code works for anyone who knows it).
- Redeemed codes lose the link to the account (the row is going); they stay used, with the
  assignment date as history.
- Redemptions keep their order (anonymised by customers) and lose the customer link.
"""

from django.db.models import Exists, OuterRef

from .models import Code, Redemption


def erase_customer(customer):
    """Returns (codes released, redeemed codes unlinked, redemptions unlinked)."""
    redeemed = Exists(Redemption.objects.filter(code=OuterRef("pk")))
    codes = Code.objects.filter(assigned_to_id=customer.pk)
    released = codes.filter(~redeemed).update(assigned_to=None, is_active=False)
    unlinked = codes.filter(redeemed).update(assigned_to=None)
    redemptions = Redemption.objects.filter(customer_id=customer.pk).update(customer=None)
    return released, unlinked, redemptions


def on_customer_deleting(sender, customer, by=None, **kwargs):
    erase_customer(customer)
