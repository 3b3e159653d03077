"""The gift cards' figure on the backoffice start page (``shop.dashboard``): what the shop
owes as gift-card balances and customer credit — an accounting liability. Two queries.

A blocked card's balance is counted: blocked by staff (suspected fraud, a lost card) it is
still owed, and can be unblocked. A card bought with an order that was refunded or
canceled has nothing left to count: its balance was voided with the refund
(``services.block_cards_of_canceled_order``, ``services.take_back_cards``)."""

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.urls import reverse

from shop.money import ZERO

from .models import CardState, CreditAccount, GiftCard


def liability():
    blocked = Q(is_blocked=True)
    cards = GiftCard.objects.filter(balance__gt=0).aggregate(
        total=Sum("balance"),
        n=Count("id"),
        blocked_total=Sum("balance", filter=blocked),
        blocked_n=Count("id", filter=blocked),
    )
    credit = CreditAccount.objects.filter(balance__gt=0).aggregate(
        total=Sum("balance"), n=Count("id")
    )
    cards_total, credit_total = cards["total"] or ZERO, credit["total"] or ZERO
    cards_url = reverse("admin:giftcards_giftcard_changelist") + "?balance__gt=0"
    return {
        "total": cards_total + credit_total,
        "currency": settings.SHOP_CURRENCY,
        "cards": {
            "total": cards_total,
            "count": cards["n"],
            "url": cards_url,
            "blocked_total": cards["blocked_total"] or ZERO,
            "blocked_count": cards["blocked_n"],
            "blocked_url": f"{cards_url}&state={CardState.BLOCKED}",
        },
        "credit": {
            "total": credit_total,
            "count": credit["n"],
            "url": reverse("admin:giftcards_creditaccount_changelist") + "?balance__gt=0",
        },
    }
