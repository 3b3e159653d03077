"""Storefront: balance check, the customer's credit account, redeeming a card."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shop.clientip import client_ip
from shop.models import ShopSettings
from shop.money import format_money
from shop.ratelimit import (
    GIFTCARD_LOOKUP_LIMIT,
    GIFTCARD_LOOKUP_WINDOW,
    GIFTCARD_LOOKUPS,
)

from . import services
from .forms import BalanceCheckForm, RedeemForm
from .models import CreditAccount, GiftCard, LedgerEntry

# Card numbers must not be guessable by trying: at most this many checks per window. The
# balance check shares its allowance with the checkout's gift-card field (orders.views:
# the numbers the checkout could not use count against it too; shop.ratelimit).
CHECK_LIMIT = GIFTCARD_LOOKUP_LIMIT
CHECK_WINDOW = GIFTCARD_LOOKUP_WINDOW  # seconds
BALANCE_CHECKS = GIFTCARD_LOOKUPS


def balance(request):
    form = BalanceCheckForm(request.POST or None)
    card = None
    if request.method == "POST":
        if BALANCE_CHECKS.attempt(client_ip(request)):
            form = BalanceCheckForm()
            messages.error(
                request,
                _(
                    "Too many balance checks from your connection. Please try again in "
                    "%(minutes)d minutes."
                )
                % {"minutes": CHECK_WINDOW // 60},
            )
        elif form.is_valid():
            card = GiftCard.objects.filter(number=form.cleaned_data["number"]).first()
            if card is None:
                form.add_error("number", _("This gift card number is unknown."))
    return render(
        request,
        "giftcards/balance.html",
        {
            "form": form,
            "card": card,
            "customer_mode": ShopSettings.load().giftcard_mode
            == ShopSettings.GiftCardMode.CUSTOMER,
        },
    )


@login_required
def account(request):
    """The customer's own credit account and history — never anyone else's."""
    acct = CreditAccount.objects.filter(customer=request.user).first()
    entries = (
        LedgerEntry.objects.filter(account=acct).select_related("order", "source_card")
        if acct
        else LedgerEntry.objects.none()
    )
    page = Paginator(entries, 25).get_page(request.GET.get("page"))
    bought = (
        GiftCard.objects.filter(
            issued_by_order__customer=request.user, issued_by_order__isnull=False
        )
        .select_related("issued_by_order", "redeemed_to")
        .order_by("-created")
    )
    return render(
        request,
        "giftcards/account.html",
        {
            "account": acct,
            "page": page,
            "bought": bought,
            "redeem_form": RedeemForm(),
            "customer_mode": ShopSettings.load().giftcard_mode
            == ShopSettings.GiftCardMode.CUSTOMER,
        },
    )


@login_required
@require_POST
def redeem(request):
    if ShopSettings.load().giftcard_mode != ShopSettings.GiftCardMode.CUSTOMER:
        messages.error(
            request,
            _("In this shop gift cards keep their balance: enter the card number at checkout."),
        )
        return redirect("giftcards:account")
    form = RedeemForm(request.POST)
    # The same allowance as the balance check and the checkout's card field (one per
    # client, shop.ratelimit): a number that could not be redeemed counts, a card redeemed
    # does not — a customer with many cards is never held up.
    if GIFTCARD_LOOKUPS.exceeded(client_ip(request)):
        messages.error(request, _("Too many attempts. Please try again in a few minutes."))
    elif form.is_valid():
        try:
            card, acct, amount = services.redeem_to_account(
                form.cleaned_data["number"], request.user
            )
        except services.GiftCardError as exc:
            GIFTCARD_LOOKUPS.hit(client_ip(request))
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(amount)s from gift card %(number)s are now your credit.")
                % {
                    "amount": format_money(amount, acct.currency),
                    "currency": acct.currency,
                    "number": card.display_number,
                },
            )
    else:
        messages.error(request, " ".join(form.errors["number"]))
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("giftcards:account")
