"""Erasure and gift-card credit (receivers of ``customers.signals.customer_erasure_check``
and ``customer_deleting``).

Credit is money the shop owes the customer: while the credit account holds any, the erasure
is refused, and nothing is changed. The check runs before the erasure does anything and
counts what its first step adds: canceling the customer's unpaid pending orders
(``orders.erasure``) gives back the credit they were partly paid with. So the refusal names
both parts — the credit the operator sees on the account and what canceling which order
gives back — and the deletion page says so before the operator confirms. After the
cancellations the balance is checked once more: whatever gave credit back, it is never
destroyed silently.

With zero credit the account and its ledger stay as anonymous accounting history under the
customer number: the link to the user goes and the customer's e-mail address and name are
replaced where staff typed them into ledger reasons. Gift cards themselves have no owner and
hold no personal data.
"""

from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.erasure import person_details, person_names, scrubber
from orders.models import Order
from shop import events
from shop.money import ZERO, format_money

from .errors import GiftCardOperationError
from .models import CreditAccount, LedgerEntry


@dataclass(frozen=True)
class CreditInTheWay:
    """Credit that stops the erasure of a customer: the account's balance, and what
    canceling each of the unpaid pending orders gives back to it, ``(order number, amount)``."""

    account: CreditAccount
    returns: tuple = ()

    @property
    def returned(self):
        return sum((amount for _number, amount in self.returns), ZERO)

    def refusal(self, by=None):
        """The error that refuses the erasure, for the operator ``by`` or, when None, for the
        customer deleting their own account; amounts in the reader's language."""
        currency = self.account.currency
        values = {
            "number": self.account.customer_number,
            "amount": format_money(self.account.balance, currency),
            "returned": format_money(self.returned, currency),
            "orders": ", ".join(number for number, _amount in self.returns),
        }
        count = len(self.returns)
        if by is None and not count:  # the customer deletes their own account
            message = _(
                "Your account still has %(amount)s gift-card credit. Please use it "
                "or contact us to have it paid out before deleting your account."
            )
        elif by is None:
            message = ngettext(
                "Your account has %(amount)s gift-card credit, and canceling your unpaid "
                "order %(orders)s gives %(returned)s back to it. Please contact us to have "
                "the credit paid out before deleting your account.",
                "Your account has %(amount)s gift-card credit, and canceling your unpaid "
                "orders %(orders)s gives %(returned)s back to it. Please contact us to have "
                "the credit paid out before deleting your account.",
                count,
            )
        elif not count:
            message = _(
                "Customer %(number)s has %(amount)s gift-card credit; "
                "pay it out or adjust it to 0 first."
            )
        else:
            message = ngettext(
                "Customer %(number)s has %(amount)s gift-card credit, and canceling the "
                "unpaid order %(orders)s gives %(returned)s back to it: cancel the order, "
                "then pay out the credit or adjust it to 0.",
                "Customer %(number)s has %(amount)s gift-card credit, and canceling the "
                "unpaid orders %(orders)s gives %(returned)s back to it: cancel the orders, "
                "then pay out the credit or adjust it to 0.",
                count,
            )
        return GiftCardOperationError(message % values)


def credit_in_the_way(customer):
    """What credit stops erasing ``customer`` now, before the erasure has changed anything;
    None when nothing does. What canceling an order gives back is what its credit payments
    have not got back yet (the rule of ``services.refund_order``)."""
    account = CreditAccount.objects.filter(customer_id=customer.pk).first()
    if account is None:
        return None
    canceled_first = Order.objects.filter(customer_id=customer.pk).cancelable_pending()
    rows = (
        LedgerEntry.objects.filter(
            account=account,
            order__in=canceled_first,
            kind__in=[LedgerEntry.Kind.SPEND, LedgerEntry.Kind.REFUND],
        )
        .values("order_id", "order__number")
        .annotate(net=Sum("amount"))
        .filter(net__lt=0)
        .order_by("order_id")
    )
    returns = tuple((row["order__number"] or str(row["order_id"]), -row["net"]) for row in rows)
    if account.balance <= 0 and not returns:
        return None
    return CreditInTheWay(account, returns)


def erase_customer(customer, by=None, details=None):
    """Refuse while credit is left; otherwise detach the account. Returns the account or None."""
    account = CreditAccount.objects.select_for_update().filter(customer_id=customer.pk).first()
    if account is None:
        return None
    if account.balance > 0:  # given back since the check (the cancellations) or meanwhile
        raise CreditInTheWay(account).refusal(by)
    deleted_name = _("Deleted customer")
    if details is None:
        details = person_details(customer)
    placeholder = f"deleted-{account.customer_number}@invalid"
    clean = scrubber(
        [(email, placeholder) for email in [customer.email, *sorted(details.emails)]]
        + [(name, deleted_name) for name in person_names(customer)]
        + [(needle, _("Deleted")) for needle in details.needles()]
    )
    entries = LedgerEntry.objects.filter(account=account).exclude(reason="", message=[])
    for entry in entries.only("reason", "message"):
        reason = clean(entry.reason)[:300]
        message = events.scrub_values(entry.message, clean)
        if reason != entry.reason or message != entry.message:
            LedgerEntry.objects.filter(pk=entry.pk).update(reason=reason, message=message)
    CreditAccount.objects.filter(pk=account.pk).update(customer=None)
    return account


def on_customer_erasure_check(sender, customer, by=None, **kwargs):
    """The refusal while credit stops the erasure, or None (``customer_erasure_check``). A
    guest (``customer`` None) has no credit account."""
    if customer is None:
        return None
    credit = credit_in_the_way(customer)
    return credit.refusal(by) if credit is not None else None


def on_customer_deleting(sender, customer, by=None, details=None, **kwargs):
    erase_customer(customer, by=by, details=details)
