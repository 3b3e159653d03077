"""Demo gift cards in every state and a customer with credit history (idempotent).

The demo numbers are fixed so they can be tried in the storefront; real cards get random
numbers from ``services.generate_number``.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from customers.models import User
from shop.models import PaymentMethod, Product, ShippingMethod

from . import services
from .models import GiftCard

DEMO_CUSTOMER = "erika@example.com"
DEMO_CUSTOMER_PASSWORD = "demo-customer-2026"

BILLING = {
    "first_name": "Erika",
    "last_name": "Mustermann",
    "street": "Musterstraße 1",
    "postcode": "10115",
    "city": "Berlin",
    "country": "DE",
}


def demo_number(i):
    payload = f"70000000000{i:04d}"
    return payload + services.luhn_check_digit(payload)


def _issue(number, amount, staff=None, reason="Demo card"):
    card = GiftCard.objects.filter(number=number).first()
    if card:
        return card, False
    card = GiftCard.objects.create(
        number=number, initial_value=Decimal(amount), balance=0, issued_by_staff=staff
    )
    services._post(card, Decimal(amount), services.Kind.ISSUE, staff=staff, reason=reason)
    return card, True


def _order(items, customer=None, **extra):
    from orders.services import CheckoutData, place_order

    shipping = ShippingMethod.objects.filter(is_active=True).order_by("position").first()
    payment = (
        PaymentMethod.objects.filter(code="prepayment").first() or PaymentMethod.objects.first()
    )
    data = CheckoutData(
        email=customer.email if customer else "guest.giftcard@example.com",
        billing=dict(BILLING),
        shipping_method_id=shipping.pk,
        payment_method_id=payment.pk,
        digital_consent=True,
        **extra,
    )
    return place_order(items, data, customer=customer)


def _product(sku):
    return Product.objects.get(sku=sku)


def seed(cmd):
    staff = User.objects.filter(email="admin@example.com").first()
    erika = User.objects.filter(email=DEMO_CUSTOMER).first()
    if erika is None:
        erika = User.objects.create_user(
            DEMO_CUSTOMER, DEMO_CUSTOMER_PASSWORD, first_name="Erika", last_name="Mustermann"
        )
        cmd.stdout.write(
            f"  giftcards: created customer {DEMO_CUSTOMER} / {DEMO_CUSTOMER_PASSWORD}"
        )

    made = []
    # Available, untouched.
    card, new = _issue(demo_number(1), "50.00", staff)
    made += [("available", card)] if new else []
    # Available, partly used by a guest order (29.00 + 4.90 shipping from a 50.00 card).
    card, new = _issue(demo_number(2), "50.00", staff)
    if new:
        _order({_product("KIT-002").pk: 1}, giftcard_number=card.number)
        made.append(("partly used", card))
    # Used to zero on a larger order (the rest is due by prepayment).
    card, new = _issue(demo_number(3), "25.00", staff)
    if new:
        _order({_product("KIT-001").pk: 1}, giftcard_number=card.number)
        made.append(("used", card))
    # Expired with its balance written off.
    card, new = _issue(demo_number(4), "20.00", staff)
    if new:
        GiftCard.objects.filter(pk=card.pk).update(
            valid_until=timezone.localdate() - timedelta(days=10)
        )
        services.expire_cards()
        made.append(("expired", card))
    # Blocked (reported stolen).
    card, new = _issue(demo_number(5), "30.00", staff)
    if new:
        services.set_blocked(card, True)
        made.append(("blocked", card))
    # Erika's credit account: two cards redeemed, credit used on an order, a goodwill top-up.
    card_a, new_a = _issue(demo_number(6), "25.00", staff)
    card_b, new_b = _issue(demo_number(7), "50.00", staff)
    if new_a and new_b:
        services.redeem_to_account(card_a.number, erika)
        services.redeem_to_account(card_b.number, erika)
        _order({_product("LIV-001").pk: 1}, customer=erika, use_credit=True)
        if staff is not None:
            account = services.account_for(erika)
            services.adjust_account(account, Decimal("5.00"), "Goodwill: late delivery", staff)
        made += [("redeemed", card_a), ("redeemed", card_b)]

    for state, card in made:
        cmd.stdout.write(f"  gift card {card.display_number} ({state})")
    if not made:
        cmd.stdout.write("  giftcards: demo cards already present")
