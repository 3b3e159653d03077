"""Backoffice roles (SPEC S13) as groups. Patterns are ``app_label.codename`` globs, so a new
model in an app is covered by its role without touching this file; a pattern starting with
``!`` takes permissions away from what the role's other patterns grant."""

from fnmatch import fnmatch

from django.contrib.auth.models import Group, Permission
from django.utils.translation import pgettext_lazy

ROLES = {
    "Shop manager": ["*.*"],
    # Goods and money are separate duties: the Order clerk handles the goods (invoices,
    # shipments, packing slips and pick lists, returns, cancelling, comments), Payments the
    # money (orders.handle_payments: marking paid, capturing and voiding card payments,
    # paying back, refunds and credit notes), the Shop manager both.
    "Order clerk": [
        "orders.*",
        "!orders.accounting_reports",  # the accountant's reports and bookings: Payments
        "!orders.handle_payments",
        # Credit notes are issued and paid out by Payments; the clerk reads them — except the
        # one that cancels an invoiced order neither paid nor shipped (no money moves: goods
        # work, orders.services.lifecycle.cancel_with_credit_note, checked as cancelling).
        "!orders.add_creditnote",
        "!orders.change_creditnote",
        "!orders.delete_creditnote",
        "customers.view_*",
        "shop.view_*",
        "helpdesk.view_*",
        "giftcards.view_*",
    ],
    "Marketing": [
        "vouchers.*",
        "reviews.*",
        "customers.view_user",
        "customers.view_customergroup",
        # The catalog's texts, translations, pictures and (sale) prices — not the stock
        # quantity (shop.change_product_stock: read-only for Marketing), and no deleting of
        # products or categories (orders and the price history refer to them).
        "shop.view_product",
        "shop.add_product",
        "shop.change_product",
        "shop.view_category",
        "shop.add_category",
        "shop.change_category",
        "shop.*_productimage",
        "shop.view_pricehistory",
        # Who waits for a sold-out product (back-in-stock notices): the demand, read-only.
        "shop.view_stocknotice",
    ],
    # Sales looks after accounts, groups and limits; erasing a customer (irreversible, a
    # GDPR request) is the Data protection officer's or the Shop manager's decision.
    "Sales": [
        "orders.view_*",
        "customers.*",
        "!customers.delete_user",
        # Points beyond the shop's daily limit per person need a second one: the Shop manager.
        "!customers.adjust_points_beyond_limit",
        "vouchers.view_*",
        "shop.view_*",
    ],
    # Payments works on an order's money only: no orders.change_order (shipping, invoicing,
    # cancelling, comments). A canceled paid order's payout is Payments' "Mark as paid back".
    "Payments": [
        "orders.view_*",
        "orders.handle_payments",
        "orders.change_creditnote",  # the credit notes' payouts ("Refunds to pay out")
        "orders.change_return",  # settling a return with a credit note
        "orders.accounting_reports",
        "giftcards.*",
        # Money out of nothing above the shop's daily limit (gift cards issued, credit added)
        # needs a second person: the Shop manager.
        "!giftcards.issue_beyond_limit",
        "customers.view_user",
        "shop.view_paymentmethod",
        "shop.change_paymentmethod",
    ],
    "Support": ["helpdesk.*", "orders.view_*", "customers.view_user", "reviews.*"],
    "Data protection officer": [
        "privacy.*",
        "customers.view_user",
        "customers.delete_user",  # erasure requests
        "orders.view_order",
        "shop.view_retentionpolicy",
        "shop.change_retentionpolicy",
        "shop.view_retentionrun",
    ],
}

# The roles' names as staff read them: a group's name is data, and the shop finds its role
# groups (and the helpdesk its departments) by these English names, so they are not renamed.
ROLE_LABELS = {
    "Shop manager": pgettext_lazy("role", "Shop manager"),
    "Order clerk": pgettext_lazy("role", "Order clerk"),
    "Marketing": pgettext_lazy("role", "Marketing"),
    "Sales": pgettext_lazy("role", "Sales"),
    "Payments": pgettext_lazy("role", "Payments"),
    "Support": pgettext_lazy("role", "Support"),
    "Data protection officer": pgettext_lazy("role", "Data protection officer"),
}


def role_label(name):
    """A group's name in the reader's language: the role's label, else the name as stored
    (a group an administrator created)."""
    return ROLE_LABELS.get(name, name)


# Never granted by a pattern: the append-only access log and low-level auth tables.
EXCLUDED = [
    "privacy.change_accesslogentry",
    "privacy.delete_accesslogentry",
    "privacy.add_accesslogentry",
    # Staff accounts (and so permissions) are managed by superusers only. Editing a group
    # would let a role grant itself these (e.g. change_staffuser, then is_superuser).
    "auth.add_group",
    "auth.change_group",
    "auth.delete_group",
    "auth.add_permission",
    "auth.change_permission",
    "auth.delete_permission",
    "customers.add_staffuser",
    "customers.change_staffuser",
    "customers.delete_staffuser",
    "customers.view_staffuser",
]


def setup_roles():
    """Create or update every role group; returns {role: number of permissions}."""
    perms = list(Permission.objects.select_related("content_type"))
    result = {}
    for role, patterns in ROLES.items():
        group, _created = Group.objects.get_or_create(name=role)
        grant = [pat for pat in patterns if not pat.startswith("!")]
        deny = [pat[1:] for pat in patterns if pat.startswith("!")] + EXCLUDED
        chosen = [
            p
            for p in perms
            if any(fnmatch(f"{p.content_type.app_label}.{p.codename}", pat) for pat in grant)
            and not any(fnmatch(f"{p.content_type.app_label}.{p.codename}", pat) for pat in deny)
        ]
        group.permissions.set(chosen)
        result[role] = len(chosen)
    return result
