"""Erasure of a customer's discount codes (receiver of ``customers.signals.customer_deleting``).

- Codes assigned to the customer and never redeemed are unassigned and deactivated: their
  text was sent to the person, so it must neither go to another customer nor be usable
  anonymously (a free single-use code works for anyone who knows it).
- Redeemed codes lose the link to the account (the row is going); they stay used, with the
  assignment date as history.
- Redemptions keep their order (anonymised by customers) and lose the customer link.
- The objection to code e-mails is deleted for every address of the person (earlier ones
  too; it holds nothing but the address), also for a guest erased by e-mail.
"""

from django.db.models import Exists, OuterRef

from customers.erasure import email_in, person_details

from .models import Code, CodeMailOptOut, Redemption


def erase_customer(customer):
    """Returns (codes released, redeemed codes unlinked, redemptions unlinked)."""
    redeemed = Exists(Redemption.objects.filter(code=OuterRef("pk")))
    codes = Code.objects.filter(assigned_to_id=customer.pk)
    released = codes.filter(~redeemed).update(assigned_to=None, is_active=False)
    unlinked = codes.filter(redeemed).update(assigned_to=None)
    redemptions = Redemption.objects.filter(customer_id=customer.pk).update(customer=None)
    return released, unlinked, redemptions


def erase_objections(customer, emails=()):
    """Delete the person's objections to code e-mails; returns the count."""
    emails = {e.strip().lower() for e in emails if e and e.strip()}
    if customer is not None and (customer.email or "").strip():
        emails.add(customer.email.strip().lower())
    deleted, _by_model = CodeMailOptOut.objects.filter(email_in("email", emails)).delete()
    return deleted


def on_customer_deleting(sender, customer, by=None, details=None, **kwargs):
    erase_customer(customer)
    erase_objections(customer, details.emails if details is not None else ())


def on_guest_deleting(sender, email, by=None, details=None, **kwargs):
    erase_objections(None, (details or person_details(None, [email])).emails)
