"""The gift cards' figure on the backoffice start page (``shop.dashboard``): what the shop
owes as gift-card balances and customer credit — an accounting liability. Two queries."""

from django.conf import settings
from django.db.models import Count, Sum
from django.urls import reverse

from shop.money import ZERO

from .models import CreditAccount, GiftCard


def liability():
    cards = GiftCard.objects.filter(balance__gt=0).aggregate(total=Sum("balance"), n=Count("id"))
    credit = CreditAccount.objects.filter(balance__gt=0).aggregate(
        total=Sum("balance"), n=Count("id")
    )
    cards_total, credit_total = cards["total"] or ZERO, credit["total"] or ZERO
    return {
        "total": cards_total + credit_total,
        "currency": settings.SHOP_CURRENCY,
        "cards": {
            "total": cards_total,
            "count": cards["n"],
            "url": reverse("admin:giftcards_giftcard_changelist") + "?balance__gt=0",
        },
        "credit": {
            "total": credit_total,
            "count": credit["n"],
            "url": reverse("admin:giftcards_creditaccount_changelist") + "?balance__gt=0",
        },
    }
