"""Many checkouts spending one card at the same moment, on real PostgreSQL connections."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from giftcards import services
from giftcards.models import GiftCard, LedgerEntry
from orders.models import Order
from orders.services import CheckoutData, place_order
from shop.exceptions import DomainError
from tests.factories import PaymentMethodFactory, ProductFactory, ShippingMethodFactory
from tests.race import run_concurrently

from .helpers import assert_ledger_matches

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_checkouts_never_overspend_one_card():
    product = ProductFactory(price=Decimal("20.00"))
    shipping = ShippingMethodFactory()  # 4.90 → each order is 24.90
    payment = PaymentMethodFactory()
    card = services.issue_cards(Decimal("100.00"), 1)[0]  # less than 20 × 24.90

    def checkout(i):
        try:
            return place_order(
                {product.pk: 1},
                CheckoutData(
                    email=f"buyer{i}@example.com",
                    billing={
                        "first_name": "Buyer",
                        "last_name": str(i),
                        "street": "Street 1",
                        "postcode": "10115",
                        "city": "Berlin",
                    },
                    shipping_method_id=shipping.pk,
                    payment_method_id=payment.pk,
                    giftcard_number=card.display_number,
                ),
            ).pk
        except DomainError as exc:
            return exc.message

    outcomes = run_concurrently(checkout, THREADS, timeout=120)
    results = [o for o in outcomes if isinstance(o, int)]
    errors = [
        o if isinstance(o, str) else f"UNEXPECTED {type(o).__name__}: {o}"  # a bug: fails below
        for o in outcomes
        if not isinstance(o, int)
    ]
    assert not [e for e in errors if e.startswith("UNEXPECTED")], errors
    card = GiftCard.objects.get(pk=card.pk)
    spent = -(LedgerEntry.objects.filter(card=card, kind="spend").aggregate(s=Sum("amount"))["s"])
    paid_on_orders = Order.objects.aggregate(s=Sum("giftcard_total"))["s"]
    assert card.balance >= 0
    assert spent == paid_on_orders == Decimal("100.00")  # ≤ the initial value, and all of it
    assert len(results) == 5  # 4 × 24.90 + 1 × 0.40
    assert len(errors) == THREADS - 5
    assert set(errors) == {"This gift card has no balance left."}
    assert_ledger_matches(card)
