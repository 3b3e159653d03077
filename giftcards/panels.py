"""Gift-card panels on pages owned by other apps (see ``shop.panels``)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from customers import panels as customer_panels
from shop import dashboard, panels
from shop.models import ShopSettings

from . import services
from .dashboard import liability
from .erasure import credit_in_the_way
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


def checkout_panel(request, form):
    """Gift-card number and account credit on the checkout page."""
    user = getattr(request, "user", None)
    customer = user if user is not None and user.is_authenticated and not user.is_staff else None
    return {
        "giftcard_mode": ShopSettings.load().giftcard_mode,
        "credit_balance": services.credit_balance(customer) if customer else services.ZERO,
    }


def deletion_note(user):
    """On "Delete my account": the credit that refuses the deletion (``erasure``), said before
    the customer types the password — the amount, what canceling the unpaid orders gives back
    to it, and what to do — in the words of the refusal itself, so page and error agree."""
    credit = credit_in_the_way(user)
    if credit is None:
        return None
    return {
        "text": gettext("We cannot delete your account while it holds gift-card credit."),
        "after": credit.refusal().message,
    }


def register():
    customer_panels.register_deletion_note(deletion_note, order=20)
    dashboard.register(
        "giftcards.liability",
        _("Gift-card and credit liability"),
        "admin/giftcards/dashboard/liability.html",
        liability,
        permission="giftcards.view_giftcard",
        order=60,
    )
    panels.ACCOUNT_HOME.register("giftcards/_account_panel.html", account_home_context, order=40)
    panels.registry("account_nav").register(
        "giftcards/_account_nav.html", account_nav_context, order=40
    )
    panels.BACKOFFICE_CUSTOMER.register(
        "giftcards/_backoffice_customer_panel.html",
        backoffice_customer_context,
        order=40,
        permission="giftcards.view_creditaccount",
    )
    panels.CHECKOUT.register("giftcards/_checkout_panel.html", checkout_panel, order=20)
