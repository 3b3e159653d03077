"""Erasure and gift-card credit (receiver of ``customers.signals.customer_deleting``).

Credit is money the shop owes the customer: while the credit account holds any, the erasure
is refused (the receiver raises, so ``delete_customer`` rolls back). With zero credit the
account and its ledger stay as anonymous accounting history under the customer number: the
link to the user goes and the customer's e-mail address and name are replaced where staff
typed them into ledger reasons. Gift cards themselves have no owner and hold no personal
data.
"""

from django.utils.translation import gettext as _

from shop import events
from shop.erasure import scrub
from shop.money import format_money

from .models import CreditAccount, LedgerEntry
from .services import GiftCardError


def erase_customer(customer, by=None):
    """Refuse while credit is left; otherwise detach the account. Returns the account or None."""
    account = CreditAccount.objects.select_for_update().filter(customer_id=customer.pk).first()
    if account is None:
        return None
    if account.balance > 0:
        values = {
            "number": account.customer_number,
            "amount": format_money(account.balance, account.currency),
            "currency": account.currency,
        }
        if by is None:  # the customer deletes their own account in the storefront
            message = _(
                "Your account still has %(amount)s gift-card credit. Please use it "
                "or contact us to have it paid out before deleting your account."
            )
        else:
            message = _(
                "Customer %(number)s has %(amount)s gift-card credit; "
                "pay it out or adjust it to 0 first."
            )
        raise GiftCardError(message % values)
    needles = [customer.email, customer.get_full_name().strip()]
    replacements = [
        f"deleted-{account.customer_number}@invalid",
        _("Deleted customer"),
    ]
    entries = LedgerEntry.objects.filter(account=account).exclude(reason="", message=[])
    for entry in entries.only("reason", "message"):
        reason = scrub(entry.reason, needles, replacements)[:300]
        message = events.scrub_values(
            entry.message, lambda value: scrub(value, needles, replacements)
        )
        if reason != entry.reason or message != entry.message:
            LedgerEntry.objects.filter(pk=entry.pk).update(reason=reason, message=message)
    CreditAccount.objects.filter(pk=account.pk).update(customer=None)
    return account


def on_customer_deleting(sender, customer, by=None, **kwargs):
    erase_customer(customer, by=by)
