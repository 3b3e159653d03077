"""Gift-card panels on pages owned by other apps (see ``shop.panels``)."""

from shop.models import ShopSettings

from .forms import RedeemForm
from .models import CreditAccount, LedgerEntry

PANEL_ENTRIES = 5


def _latest_entries(account):
    if account is None:
        return []
    return list(
        LedgerEntry.objects.filter(account=account).select_related("order", "source_card")[
            :PANEL_ENTRIES
        ]
    )


def account_home_context(request, user):
    """Storefront account start page: credit, redeem form (customer mode), latest history."""
    account = CreditAccount.objects.filter(customer=user).first()
    mode = ShopSettings.load().giftcard_mode
    return {
        "account": account,
        "entries": _latest_entries(account),
        "customer_mode": mode == ShopSettings.GiftCardMode.CUSTOMER,
        "redeem_form": RedeemForm(),
    }


def account_nav_context(request, user):
    """A link in the storefront account navigation."""
    match = getattr(request, "resolver_match", None)
    return {"active": bool(match and match.namespace == "giftcards")}


def backoffice_customer_context(request, user):
    """Backoffice customer detail: credit balance and the latest ledger entries."""
    account = CreditAccount.objects.filter(customer=user).first()
    return {"account": account, "entries": _latest_entries(account)}
