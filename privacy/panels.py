"""'Who saw this customer / order' links on the backoffice detail pages (privacy staff only),
and "Download my data" in the storefront account's navigation (customers)."""

from django.urls import reverse

from shop import panels


def _context(request, ref):
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("privacy.view_accesslogentry"):
        return None
    context = {"log_url": reverse("admin:privacy_accesslogentry_changelist") + f"?subject={ref}"}
    if user.has_perm("privacy.view_subject"):
        context["browser_url"] = reverse("admin:privacy_subject_show", args=[ref])
    return context


def who_saw_customer(request, customer):
    return _context(request, f"customer:{customer.pk}")


def who_saw_order(request, order):
    return _context(request, f"order:{order.pk}")


def account_nav_own_data(request, user):
    """The customer's own data, for download (privacy.views.own_data); not for staff."""
    if user is None or not user.is_authenticated or user.is_staff:
        return None
    match = getattr(request, "resolver_match", None)
    return {"active": bool(match and match.namespace == "privacy")}


def register():
    panels.registry("account_nav").register(
        "privacy/_account_nav.html", account_nav_own_data, order=80
    )
    permission = "privacy.view_accesslogentry"
    panels.BACKOFFICE_CUSTOMER.register(
        "privacy/_who_saw.html", who_saw_customer, order=90, permission=permission
    )
    panels.BACKOFFICE_ORDER.register(
        "privacy/_who_saw.html", who_saw_order, order=90, permission=permission
    )
