"""Panels this app contributes to pages of the shop (see shop.panels), and the extension
points of its own account pages (consents, what deleting the account does)."""

from dataclasses import dataclass

from shop import panels

from .loyalty import points_balance
from .models import LoyaltyEntry


def account_points(request, user):
    """Loyalty points on the storefront account start page."""
    if not user.is_authenticated or user.is_staff:
        return None
    entries = list(LoyaltyEntry.objects.filter(customer=user).select_related("order")[:5])
    return {"balance": points_balance(user), "entries": entries}


def register():
    panels.ACCOUNT_HOME.register("customers/_points_panel.html", account_points, order=20)


# ---------------------------------------------------------------------------------------
# "Privacy & consents" in the account: the consents a customer gave, each with a button to
# withdraw it (GDPR Art. 7(3)). The consents are kept by the apps above (the checkout's
# consents on the orders, the review requests), which register each kind here in their
# ``AppConfig.ready()``; this app only shows them and passes the withdrawal on.
# ---------------------------------------------------------------------------------------


@dataclass
class ConsentKind:
    """``context(user)``: None when the customer never gave this consent, else a dict with
    ``title``, ``text`` (what they agreed to, as they read it), ``given_at``, ``orders``
    (rows with ``number`` and ``date``), ``active`` (still in force), ``withdrawn_at`` and
    ``effect`` (what withdrawing does, one sentence). ``withdraw(user)``: the app's service;
    returns the message the customer sees."""

    key: str
    context: callable
    withdraw: callable
    order: int = 100


CONSENT_KINDS = {}


def register_consent(key, context, withdraw, order=100):
    CONSENT_KINDS[key] = ConsentKind(key, context, withdraw, order)


def consents_of(user):
    """The consents ``user`` gave, in ``order``: ``(key, context)`` pairs."""
    found = []
    for kind in sorted(CONSENT_KINDS.values(), key=lambda kind: kind.order):
        context = kind.context(user)
        if context is not None:
            found.append({"key": kind.key, **context})
    return found


def withdraw_consent(user, key):
    """Withdraw ``user``'s consent ``key``; the message to show, or None for an unknown kind."""
    kind = CONSENT_KINDS.get(key)
    if kind is None:
        return None
    return kind.withdraw(user)


# What deleting the account does in the apps above, said on "Delete my account" before the
# customer confirms, in their words. ``note(user)`` returns None (nothing of the customer's
# in that app) or a dict with ``text`` (one sentence: what the erasure does there) and
# optionally ``orders`` (rows with ``number``, ``date``, ``total`` and ``currency``: e.g.
# the unpaid orders the erasure cancels). Registered by the apps in ``AppConfig.ready()``.
DELETION_NOTES = []


def register_deletion_note(note, order=100):
    if note not in [registered for _order, registered in DELETION_NOTES]:
        DELETION_NOTES.append((order, note))
        DELETION_NOTES.sort(key=lambda pair: pair[0])


def deletion_notes(user):
    notes = []
    for _order, note in DELETION_NOTES:
        found = note(user)
        if found:
            notes.append(found)
    return notes
