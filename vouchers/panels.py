"""The discount-code and partner-offer panels on storefront pages."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop import admin, dashboard, panels

from . import offers, services
from .dashboard import campaigns_by_discount
from .errors import VoucherError
from .models import CodeJob

SESSION_KEY = "voucher_code"


def _customer(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and not user.is_staff:
        return user
    return None


def cart_panel(request, cart):
    """Code field and discount preview under the cart."""
    code_text = request.session.get(SESSION_KEY, "")
    context = {"code_text": code_text, "quote": None, "error": ""}
    if code_text:
        try:
            context["quote"] = services.cart_preview(
                code_text, customer=_customer(request), cart=cart
            )
        except VoucherError as exc:
            context["error"] = exc.message
    return context


def account_home_panel(request, user):
    if not isinstance(user, get_user_model()) or user.is_staff:
        return None
    codes = list(services.customer_codes(user)[:5])
    offers = services.points_campaigns().exists()
    if not codes and not offers:
        return None
    return {"codes": codes, "can_buy": offers, "today": timezone.localdate()}


def account_nav(request, user):
    """ "Discount codes" in the storefront account's navigation (the codes bought with points
    and issued to the customer); not for staff, whose account has no codes page."""
    if _customer(request) is None:
        return None
    match = getattr(request, "resolver_match", None)
    return {"active": bool(match and match.namespace == "vouchers")}


def checkout_success_panel(request, order):
    """Partner offers and the partner network's frame — only with the customer's consent."""
    if not order.partner_consent:
        return None
    matched = offers.offers_for_order(order)
    frame_url = offers.partner_frame_path(order)
    if not matched and not frame_url:
        return None
    return {"offers": matched, "frame_url": frame_url}


def checkout_panel(request, form):
    """The discount-code field of the checkout form."""
    return {}


def register():
    dashboard.register(
        "vouchers.campaigns",
        _("Code campaigns by discount given"),
        "admin/vouchers/dashboard/campaigns.html",
        campaigns_by_discount,
        permission="vouchers.view_campaign",
        order=50,
    )
    admin.backoffice.attention(
        _("Running code jobs"),
        "admin:vouchers_codejob_changelist",
        lambda: CodeJob.objects.filter(
            status__in=[CodeJob.Status.QUEUED, CodeJob.Status.RUNNING]
        ).count(),
        permission="vouchers.view_codejob",
        query="?state=running",
    )
    panels.CART.register("vouchers/_cart_panel.html", cart_panel, order=10)
    panels.CHECKOUT.register("vouchers/_checkout_panel.html", checkout_panel, order=10)
    panels.ACCOUNT_HOME.register("vouchers/_account_panel.html", account_home_panel, order=40)
    panels.registry("account_nav").register("vouchers/_account_nav.html", account_nav, order=30)
    panels.CHECKOUT_SUCCESS.register(
        "vouchers/_success_offers.html", checkout_success_panel, order=50
    )
