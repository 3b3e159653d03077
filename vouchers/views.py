"""Storefront: the cart's code field, the account's codes (bought with points), offer clicks,
the objection to e-mails about discount codes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customers import loyalty
from customers import services as customer_services
from shop.cart import Cart
from shop.clientip import client_ip
from shop.exceptions import LinkNotValid
from shop.models import ShopSettings
from shop.ratelimit import CODE_FAILED_LOOKUPS

from . import offers, services
from .errors import VoucherError
from .models import Code, Redemption
from .panels import SESSION_KEY, _customer


@require_POST
def cart_code(request):
    """Apply (remember in the session for the checkout) or remove the cart's code."""
    if request.POST.get("action") == "remove":
        request.session.pop(SESSION_KEY, None)
        messages.success(request, _("The discount code was removed."))
        return redirect("shop:cart")
    ip = client_ip(request)
    if CODE_FAILED_LOOKUPS.exceeded(ip):
        minutes = max(1, CODE_FAILED_LOOKUPS.window // 60)
        messages.error(
            request,
            ngettext(
                "Too many discount codes from your connection did not work. Please try "
                "again in %(minutes)d minute.",
                "Too many discount codes from your connection did not work. Please try "
                "again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
        )
        return redirect("shop:cart")
    cart = Cart(request)
    code_text = (request.POST.get("code") or "").strip()[:64]
    try:
        quote = services.cart_preview(code_text, customer=_customer(request), cart=cart)
    except VoucherError as exc:
        if code_text:
            CODE_FAILED_LOOKUPS.hit(ip)
        messages.error(request, exc.message)
    else:
        request.session[SESSION_KEY] = quote.code_text
        messages.success(
            request,
            _("The discount code %(code)s is applied: %(label)s.")
            % {"code": quote.code_text, "label": quote.label},
        )
    return redirect("shop:cart")


def _account_customer(request):
    if request.user.is_staff:
        raise Http404
    return request.user


@login_required(login_url="customers:login")
def account_codes(request):
    customer = _account_customer(request)
    free = Code.objects.filter(
        campaign=OuterRef("pk"), assigned_to__isnull=True, is_active=True
    ).exclude(Exists(Redemption.objects.filter(code=OuterRef("pk"))))
    campaigns = services.points_campaigns().annotate(available=Exists(free))
    return render(
        request,
        "vouchers/account_codes.html",
        {
            "codes": services.customer_codes(customer),
            "campaigns": campaigns,
            "points": loyalty.points_balance(customer),
            "today": timezone.localdate(),
            "code_mails_objected": services.objects_to_code_mails(customer),
        },
    )


@require_POST
@login_required(login_url="customers:login")
def code_mails(request):
    """The account's switch: e-mails about discount codes allowed again, or objected to."""
    customer = _account_customer(request)
    if request.POST.get("allow") == "1":
        services.allow_code_mails(customer)
        messages.success(request, _("You will receive e-mails about discount codes again."))
    else:
        services.object_to_code_mails(customer.email)
        messages.success(request, _("You will receive no more e-mails about discount codes."))
    return redirect("vouchers:account_codes")


@require_http_methods(["GET", "POST"])
def unsubscribe(request, signed):
    """The link of every code e-mail: shows the address, and records the objection with a
    button (a GET changes nothing: mail scanners open links)."""
    email = services.email_from_code_mail_unsubscribe(signed)
    if email is None:
        raise LinkNotValid()
    done = False
    if request.method == "POST":
        services.object_to_code_mails(email)
        done = True
    return render(request, "vouchers/unsubscribe.html", {"email": email, "done": done})


@require_POST
@login_required(login_url="customers:login")
def buy_code(request, campaign_id):
    customer = _account_customer(request)
    try:
        code = services.buy_code_with_points(customer, campaign_id)
    except (VoucherError, customer_services.CustomerError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Your new discount code is %(code)s (%(label)s).")
            % {"code": code.text, "label": code.campaign.discount_label()},
        )
    return redirect("vouchers:account_codes")


def offer_go(request, offer_id):
    """Count the click and redirect to the offer's own link — never to a URL from the request."""
    url = offers.record_click(offer_id)
    if url is None:
        raise Http404
    return HttpResponseRedirect(url)


@require_GET
@xframe_options_sameorigin
def partner_frame(request, signed):
    """The page the success page embeds in a sandboxed iframe: the partner network's script
    with the order reference, net value, currency and e-mail hash — nothing else, and the only
    page whose policy lets the partner's script run."""
    order = offers.order_from_frame_token(signed)
    shop_settings = ShopSettings.load()
    data = offers.partner_network_data(order, shop_settings) if order else None
    if data is None:
        raise Http404
    script_url = offers.partner_network_url(order, shop_settings)
    response = render(request, "vouchers/partner_frame.html", {"script_url": script_url})
    origin = offers.script_origin(shop_settings.partner_network_script_url)
    response["Content-Security-Policy"] = offers.frame_policy(origin)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
